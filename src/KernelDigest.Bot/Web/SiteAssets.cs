namespace KernelDigest.Bot.Web;

/// <summary>The archive's own files (one stylesheet; no fonts or scripts are needed), embedded in the app.</summary>
internal static class SiteAssets
{
    public const string StylePath = "assets/site.css";

    public const string IconPath = "assets/icon.svg";

    /// <summary>The tab icon (a penguin-free "K"), so browsers do not go looking for /favicon.ico.</summary>
    public static byte[] Icon { get; } = System.Text.Encoding.UTF8.GetBytes(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\"><rect width=\"32\" height=\"32\" rx=\"6\" fill=\"#0b5cad\"/>"
        + "<path d=\"M10 7v18M10 16l10-9M13 14l8 11\" stroke=\"#fff\" stroke-width=\"3.5\" fill=\"none\"/></svg>");

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
