using System.Diagnostics;
using System.Net;

namespace KernelDigest.Bot.Tests.Web;

/// <summary>
/// A container or a systemd service has no terminal: with <c>Console:Enabled=false</c> the bot serves the archive with
/// stdin closed, where the console chat would end the app at the end of its input. A real process, since what is
/// tested is what the app does when its input ends.
/// </summary>
public sealed class ConsoleOffTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task With_the_console_off_the_bot_serves_on_after_its_input_ends_and_with_it_on_the_app_ends(bool consoleOff)
    {
        var work = Directory.CreateTempSubdirectory("kd-console-off-").FullName;
        var port = BotHost.FreePort();
        List<string> args = [$"--urls=http://127.0.0.1:{port}", $"--Storage:DataDirectory={Path.Combine(work, "data")}"];
        if (consoleOff)
            args.Add("--Console:Enabled=false");
        using var process = Process.Start(BotProcess.StartInfo(work, args))!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        process.StandardInput.Close(); // no terminal, as under Docker or systemd

        try
        {
            if (consoleOff)
            {
                using var http = new HttpClient();
                var page = await ServedAsync(http, new Uri($"http://127.0.0.1:{port}/reports/2020-09"), process);
                Assert.Contains("Introducethe TDP MMU", page, StringComparison.Ordinal);
                Assert.False(process.HasExited, "the app ended with its input although the console was off");
            }
            else
            {
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                await process.WaitForExitAsync(wait.Token); // the console chat read the end of its input: the app ends
                Assert.Equal(0, process.ExitCode);
            }
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            _ = await stderr;
            _ = await stdout;
        }
    }

    /// <summary>The page, once the server answers; fails with the bot's end if it exits first.</summary>
    private static async Task<string> ServedAsync(HttpClient http, Uri url, Process process)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            Assert.False(process.HasExited, $"the bot exited ({(process.HasExited ? process.ExitCode : 0)}) before serving");
            try
            {
                using var response = await http.GetAsync(url);
                if (response.StatusCode == HttpStatusCode.OK)
                    return await response.Content.ReadAsStringAsync();
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{url} never answered 200");
            await Task.Delay(100);
        }
    }
}
