using Microsoft.Data.Sqlite;

namespace KernelDigest.Faults;

/// <summary>
/// Helper processes for the scenarios (the test host never calls this): <c>dotnet KernelDigest.Faults.dll
/// hold-sqlite-lock FILE</c> takes the database's write lock as another program would (an operator's sqlite3 shell with
/// a transaction open), prints "locked", and holds it until its standard input closes or it is killed.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is not ["hold-sqlite-lock", var file])
        {
            await Console.Error.WriteLineAsync("usage: KernelDigest.Faults hold-sqlite-lock FILE");
            return 2;
        }
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        await connection.OpenAsync();
        await using var begin = connection.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE";
        await begin.ExecuteNonQueryAsync();
        Console.WriteLine("locked");
        await Console.In.ReadToEndAsync();
        return 0;
    }
}
