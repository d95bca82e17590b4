using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace KernelDigest.Load;

/// <summary>
/// The bot as the harnesses start it: the repository's Release build, or <c>KD_BOT_DLL</c> (a published or older
/// build, to compare), in a data folder of its own, listening on <paramref name="port"/>, its output read and dropped.
/// </summary>
internal static class BotProcess
{
    public static Process Start(string repo, string data, int port, IReadOnlyDictionary<string, string> settings)
    {
        var start = new ProcessStartInfo("dotnet", [Dll(repo)]) { WorkingDirectory = data, RedirectStandardError = true, RedirectStandardOutput = true };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["Storage__DataDirectory"] = data;
        foreach (var (key, value) in settings)
            start.Environment[key] = value;
        var bot = Process.Start(start)!;
        bot.OutputDataReceived += (_, _) => { };
        bot.ErrorDataReceived += (_, _) => { };
        bot.BeginOutputReadLine();
        bot.BeginErrorReadLine();
        return bot;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Dll(string repo)
    {
        var dll = Environment.GetEnvironmentVariable("KD_BOT_DLL") is { Length: > 0 } given
            ? given
            : Path.Combine(repo, "src", "KernelDigest.Bot", "bin", "Release", "net10.0", "KernelDigest.Bot.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"build the bot first: dotnet build -c Release src/KernelDigest.Bot ({dll} not found)", dll);
    }
}
