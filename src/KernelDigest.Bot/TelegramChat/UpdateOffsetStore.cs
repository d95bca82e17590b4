using System.Globalization;

namespace KernelDigest.Bot.TelegramChat;

/// <summary>
/// Keeps the next getUpdates offset in a small file under the data folder, written after each update is handled, so a
/// restart neither loses nor repeats updates.
/// </summary>
public sealed class UpdateOffsetStore(string path)
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public int? Load()
    {
        try
        {
            return int.TryParse(File.ReadAllText(Path).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var offset) ? offset : null;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    public async Task SaveAsync(int offset, CancellationToken ct)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        // Write-then-rename: a crash mid-write leaves the old offset, never a torn one.
        var temp = Path + ".tmp";
        await File.WriteAllTextAsync(temp, offset.ToString(CultureInfo.InvariantCulture), ct);
        File.Move(temp, Path, overwrite: true);
    }
}
