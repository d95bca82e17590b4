using System.Diagnostics;
using System.Text;

namespace KernelDigest.Bot.Tests;

/// <summary>Runs the real bot executable (the built KernelDigest.Bot.dll) as a user would, and captures what it prints.</summary>
internal static class BotProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "KernelDigest.Bot.dll");

    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Bot.sln")))
                dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("Bot.sln not found above the test folder");
        }
    }

    /// <summary>
    /// How every test starts the bot: <c>dotnet KernelDigest.Bot.dll args…</c> in <paramref name="workingDirectory"/>,
    /// all three streams redirected as UTF-8. Callers add their own settings.
    /// </summary>
    public static ProcessStartInfo StartInfo(string workingDirectory, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            StandardInputEncoding = new UTF8Encoding(false),
        };
        start.ArgumentList.Add(Dll);
        foreach (var a in args)
            start.ArgumentList.Add(a);
        start.Environment["DOTNET_NOLOGO"] = "1";
        // The web archive's default address is fixed (http://localhost:8080); bots started side by side take any free port.
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        return start;
    }

    /// <summary>Starts the bot in a scratch working directory (so it uses its bundled config) with the given stdin.</summary>
    public static async Task<Result> RunAsync(IEnumerable<string> args, string? stdin = null, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var work = workingDirectory ?? Directory.CreateTempSubdirectory("kd-bot-").FullName;
        var start = StartInfo(work, args);
        // Keep the index cache inside the scratch folder, never in the test output.
        start.ArgumentList.Add($"--Reports:IndexCacheDirectory={Path.Combine(work, "index")}");
        start.Environment.Remove("Telegram__BotToken");
        start.Environment.Remove("Discord__BotToken");

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
            await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the bot did not exit: {string.Join(' ', args)}\nstderr: {await stderr}");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
