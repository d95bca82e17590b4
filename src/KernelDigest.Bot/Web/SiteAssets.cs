namespace KernelDigest.Bot.Web;

/// <summary>The archive's own files (one stylesheet; no fonts or scripts are needed), embedded in the app.</summary>
internal static class SiteAssets
{
    public const string StylePath = "assets/site.css";

    /// <summary>The stylesheet's bytes, read once from the assembly.</summary>
    public static byte[] Style { get; } = Read("KernelDigest.Bot.Web.site.css");

    private static byte[] Read(string name)
    {
        using var stream = typeof(SiteAssets).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded resource {name} is missing from the build");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
