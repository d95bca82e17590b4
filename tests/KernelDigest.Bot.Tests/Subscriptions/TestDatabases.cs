using KernelDigest.Bot.Storage;
using Npgsql;

namespace KernelDigest.Bot.Tests.Subscriptions;

/// <summary>
/// Databases for tests: a fresh SQLite file, or a fresh PostgreSQL database on the server named by
/// <c>KERNELDIGEST_TEST_POSTGRES</c>. In CI (CI=true) a missing server fails the test; elsewhere the test says why it
/// cannot run and passes nothing off as tested (it throws SkipException-free: see <see cref="RequirePostgres"/>).
/// </summary>
public static class TestDatabases
{
    public const string PostgresVariable = "KERNELDIGEST_TEST_POSTGRES";

    public static StorageOptions Sqlite()
    {
        var dir = Directory.CreateTempSubdirectory("kd-db-").FullName;
        return new StorageOptions { Provider = StorageProvider.Sqlite, DataDirectory = dir };
    }

    /// <summary>The server's connection string; fails the test when no server is configured.</summary>
    public static string RequirePostgres() =>
        Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                $"PostgreSQL tests need a server: set {PostgresVariable} (e.g. 'Host=127.0.0.1;Username=postgres;Password=postgres'). .ci/run installs and starts one.");

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
