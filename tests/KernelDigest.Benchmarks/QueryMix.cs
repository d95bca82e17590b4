using System.Globalization;

namespace KernelDigest.Benchmarks;

/// <summary>One representative <c>/patch</c> query: what kind of search it stands for, and its text (without "/patch ").</summary>
public sealed record QueryCase(string Kind, string Text)
{
    /// <summary>The "mix" case: each call runs the next query of <see cref="QueryMix.Cases"/> in turn.</summary>
    public bool IsMix => Kind == QueryMix.MixKind;

    public override string ToString() => IsMix ? "mix (all, in turn)" : $"{Kind}: {Text}";
}

/// <summary>The query mix used by the benchmarks and by the <c>ask -</c> throughput file.</summary>
public static class QueryMix
{
    public const string MixKind = "mix";

    /// <summary>English words, identifiers, a prefix, a typo, Chinese, mixed, filters, filters only.</summary>
    public static IReadOnlyList<QueryCase> Cases { get; } =
    [
        new("en", "bus lock"),
        new("en", "TDP MMU"),
        new("en", "page fault handling"),
        new("id", "RWF_NOAPPEND"),
        new("id", "KVM_CAP_X86_BUS_LOCK_EXIT"),
        new("prefix", "fchmod"),
        new("typo", "hypervsor"),
        new("zh", "总线锁"),
        new("zh", "虚拟机热迁移"),
        new("mixed", "KVM 影子页表"),
        new("filter", "subsystem:filesystems 补丁"),
        new("filter", "month:2018-06 KVM"),
        new("filter-only", "subsystem:mm"),
    ];

    /// <summary>The cases plus the rotating mix, for <c>[ParamsSource]</c>.</summary>
    public static IEnumerable<QueryCase> WithMix() => Cases.Append(new QueryCase(MixKind, ""));

    // Extra variety for the stdin file: more words, ids, prefixes, typos, Chinese, pages, plain text without "/patch".
    private static readonly string[] Extra =
    [
        "/patch Nitro Enclaves", "/patch PAGE_SIZE", "/patch HV_HYP_PAGE_SIZE", "/patch Lenda", "/patch blk-ioc",
        "/patch pasid", "/patch IOMMU 中断", "/patch 透传 FUSE", "/patch zoned block device", "/patch 文件系统 权限",
        "/patch SEV-ES", "/patch MUU", "/patch enclvae", "/patch 分页结构", "/patch 加速器", "/patch KVM page:2",
        "/patch sub:virtualization Hyper-V", "/patch subsystem:architecture IPI", "/s ENQCMD", "pwritev2",
        "/patch 成本模型", "/patch soft-lockup", "/patch Introducethe", "/patch virtio i2c",
    ];

    /// <summary>
    /// <paramref name="count"/> message lines for <c>ask -</c>: the cases (as /patch), the extras, and month filters over
    /// the months the corpus has, in a fixed pseudo-random order.
    /// </summary>
    public static IReadOnlyList<string> Lines(int count, int months = Corpus.DefaultMonths, int seed = 7)
    {
        var rng = new Random(seed);
        var pool = Cases.Select(c => "/patch " + c.Text).Concat(Extra).ToList();
        var lines = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            if (rng.Next(10) == 0)
            {
                var index = rng.Next(months);
                var month = new DateTime(Corpus.FirstMonth.Year, Corpus.FirstMonth.Month, 1, 0, 0, 0, DateTimeKind.Unspecified).AddMonths(index);
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"/patch month:{month:yyyy-MM} {(rng.Next(2) == 0 ? "KVM" : "内存")}"));
            }
            else
            {
                lines.Add(pool[rng.Next(pool.Count)]);
            }
        }
        return lines;
    }
}
