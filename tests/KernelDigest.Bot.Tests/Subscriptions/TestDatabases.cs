using KernelDigest.Bot.Storage;
using Npgsql;

namespace KernelDigest.Bot.Tests.Subscriptions;

/// <summary>
/// Databases for tests: a fresh SQLite file, or a fresh PostgreSQL database on the server named by
/// <c>KERNELDIGEST_TEST_POSTGRES</c> (else a local server with the user and password "postgres", as .ci/run sets up).
/// In CI (CI=true) a missing server fails the test; on a developer's machine without one the test is reported as
/// skipped, with the reason — never passed.
/// </summary>
public static class TestDatabases
{
    public const string PostgresVariable = "KERNELDIGEST_TEST_POSTGRES";

    public static StorageOptions Sqlite()
    {
        var dir = Directory.CreateTempSubdirectory("kd-db-").FullName;
        return new StorageOptions { Provider = StorageProvider.Sqlite, DataDirectory = dir };
    }

    private const string LocalDefault = "Host=127.0.0.1;Username=postgres;Password=postgres;Timeout=3";

    /// <summary>The server's connection string; fails in CI and skips elsewhere when no server answers.</summary>
    public static string RequirePostgres()
    {
        var configured = Environment.GetEnvironmentVariable(PostgresVariable);
        var cs = configured is { Length: > 0 } ? configured : LocalDefault;
        string? problem = null;
        try
        {
            using var c = new NpgsqlConnection(cs);
            c.Open();
        }
        catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            problem = ex.Message;
        }
        if (problem is null)
            return cs;
        var message = $"PostgreSQL tests need a server ({problem}): set {PostgresVariable}, or run bash .ci/run, which installs and starts one.";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase) || configured is { Length: > 0 })
            throw new InvalidOperationException(message);
        Skip.If(true, message);
        return cs;
    }

    /// <summary>Creates an empty database for one test and returns options pointing at it.</summary>
    public static async Task<StorageOptions> PostgresAsync()
    {
        var server = RequirePostgres();
        var name = "kd_test_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(server) { Database = name };
        return new StorageOptions { Provider = StorageProvider.Postgres, ConnectionString = builder.ConnectionString };
    }
}
