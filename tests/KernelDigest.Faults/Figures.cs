namespace KernelDigest.Faults;

/// <summary>
/// The one figure line a fault scenario prints, "FAULT | scenario | …": to the test's output and to stdout, which the
/// console logger this project asks for (VSTestLogger in its project file) shows for passing tests too, so CI's log
/// carries every figure (grep "FAULT |").
/// </summary>
public static class Figures
{
    public static void Print(ITestOutputHelper output, string scenario, string figure)
    {
        var line = $"FAULT | {scenario} | {figure}";
        output.WriteLine(line);
        Console.WriteLine(line);
    }
}
