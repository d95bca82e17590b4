using KernelDigest.Core.Reports;
using KernelDigest.Core.Search;
using KernelDigest.Core.Subsystems;
using Microsoft.Extensions.Options;

namespace KernelDigest.Bot.Reports;

/// <summary>Wires the report library, search and commands into the host, and loads/watches the report folder.</summary>
public static class ReportsSetup
{
    public static IHostApplicationBuilder AddReports(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ReportsOptions>()
            .BindConfiguration(ReportsOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(sp => CreateLibrary(sp.GetRequiredService<IOptions<ReportsOptions>>().Value));
        builder.Services.AddHostedService<ReportLoader>();
        return builder;
    }

    /// <summary>
    /// Builds the library from options; also used by the CLI, which runs without a host. Drafts are left out unless
    /// <paramref name="includeDrafts"/> (only <c>ask --drafts</c> asks: chats and digests never see a draft).
    /// </summary>
    public static ReportLibrary CreateLibrary(ReportsOptions options, bool includeDrafts = false)
    {
        var subsystems = SubsystemCatalog.Load(ReportsOptions.Resolve(options.SubsystemsFile));
        var glossary = Glossary.Load(ReportsOptions.Resolve(options.GlossaryFile));
        var cache = string.IsNullOrWhiteSpace(options.IndexCacheDirectory) ? null : Path.GetFullPath(options.IndexCacheDirectory);
        return new ReportLibrary(ReportsOptions.Resolve(options.Directory), subsystems, new PatchIndexFactory(glossary, subsystems, cache), includeDrafts);
    }

    public static ReportsOptions ReadOptions(IConfiguration configuration)
    {
        var options = new ReportsOptions();
        configuration.GetSection(ReportsOptions.SectionName).Bind(options);
        return options;
    }
}
