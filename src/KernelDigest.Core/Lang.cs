namespace KernelDigest.Core;

/// <summary>The language the bot speaks to a user in. Report text is never translated.</summary>
public enum Lang
{
    Zh,
    En,
}

public static class Langs
{
    /// <summary>
    /// Maps a platform language code ("en", "en-US", "zh-hans", "zh-CN") to a bot language; Chinese is the default
    /// for anything unknown or missing, as the report's readers mostly are.
    /// </summary>
    public static Lang FromCode(string? code) =>
        code is not null && code.StartsWith("en", StringComparison.OrdinalIgnoreCase) ? Lang.En : Lang.Zh;

    public static string Code(this Lang lang) => lang == Lang.En ? "en" : "zh-CN";
}
