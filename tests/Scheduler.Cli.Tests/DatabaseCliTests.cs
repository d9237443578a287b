using Npgsql;
using Scheduler.EntityFrameworkCore;
using Scheduler.EntityFrameworkCore.Migrations;

namespace Scheduler.Cli.Tests;

/// <summary><c>scheduler db migrate|status</c> against the real local PostgreSQL (a fresh database per test, from <c>SCHEDULER_TEST_POSTGRES</c>,
/// which <c>scripts/services.sh</c> prints) and a SQLite file.</summary>
public sealed class DatabaseCliTests
{
    private static readonly IReadOnlyList<string> Scripts = SchemaMigrator.ScriptNames(SchedulerDatabase.Postgres);
    private static readonly string Latest = Scripts[^1];

    private static async Task<(int ExitCode, string[] Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await SchedulerCli.RunAsync(args, output, error, TimeProvider.System);
        return (exitCode, output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries), error.ToString());
    }

    [Fact]
    public async Task DbMigrate_AppliesThePendingScripts_ThenNothing_AndStatusListsThem()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        string[] on = ["--connection", database.ConnectionString, "--provider", "postgres"];

        var before = await RunAsync(["db", "status", .. on]);
        var migrate = await RunAsync(["db", "migrate", .. on]);
        var again = await RunAsync(["db", "migrate", .. on]);
        var after = await RunAsync(["db", "status", .. on]);

        Assert.Equal((SchedulerCli.SchemaBehind, ""), (before.ExitCode, before.Error)); // pending scripts: a deployment gate fails
        Assert.Equal((0, ""), (after.ExitCode, after.Error));
        Assert.Equal([.. Scripts.Select(s => $"pending  {s}"), $"database at version none, behind this tool's {Latest}: run 'scheduler db migrate'"], before.Output);
        Assert.Equal((0, ""), (migrate.ExitCode, migrate.Error));
        Assert.Equal([.. Scripts.Select(s => $"applied {s}"), $"schema at version {Latest}"], migrate.Output);
        Assert.Equal([$"schema already at version {Latest}; nothing to apply"], again.Output);
        Assert.Equal([.. Scripts.Select(s => $"applied  {s}"), $"database at version {Latest}, current"], after.Output);
    }

    [Fact]
    public async Task DbMigrate_RecordsTheCluster_AndRefusesAnother()
    {
        await using var database = await ScratchDatabase.CreateAsync();

        var orders = await RunAsync("db", "migrate", "--connection", database.ConnectionString, "--cluster", "orders");
        var billing = await RunAsync("db", "migrate", "--connection", database.ConnectionString, "--cluster", "billing");

        Assert.Equal(0, orders.ExitCode);
        Assert.StartsWith("cluster orders (database ", orders.Output[^1], StringComparison.Ordinal);
        Assert.Equal(2, billing.ExitCode);
        Assert.Contains("The database belongs to cluster 'orders', not 'billing'.", billing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DbMigrate_Exits2NamingBothVersions_WhenTheDatabaseIsNewer()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        Assert.Equal(0, (await RunAsync("db", "migrate", "--connection", database.ConnectionString)).ExitCode);
        await database.ExecuteAsync("INSERT INTO scheduler_schema_versions (script_name, applied_at) VALUES ('9999_from_a_later_release', now())");

        var migrate = await RunAsync("db", "migrate", "--connection", database.ConnectionString);
        var status = await RunAsync("db", "status", "--connection", database.ConnectionString);

        Assert.Equal((2, 2), (migrate.ExitCode, status.ExitCode));
        Assert.Contains($"at version 9999_from_a_later_release, newer than this build knows (latest {Latest})", migrate.Error, StringComparison.Ordinal);
        Assert.Equal([.. Scripts.Select(s => $"applied  {s}"), "unknown  9999_from_a_later_release",
            $"database at version 9999_from_a_later_release, newer than this tool knows ({Latest}): upgrade the tool and the nodes"], status.Output);
    }

    [Fact]
    public async Task DbMigrate_MigratesASqliteFile_WhoseStatusBeforeIsAMissingFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"migrate-cli-{Guid.NewGuid():N}.db");
        try
        {
            var missing = await RunAsync("db", "status", "--provider", "sqlite", "--connection", $"Data Source={path}");
            var migrate = await RunAsync("db", "migrate", "--provider", "sqlite", "--connection", $"Data Source={path}");

            Assert.Equal(SchedulerCli.Unavailable, missing.ExitCode); // status never creates the file of a mistyped path
            Assert.Contains($"The SQLite file '{path}' does not exist", missing.Error, StringComparison.Ordinal);
            Assert.Equal((0, ""), (migrate.ExitCode, migrate.Error));
            Assert.Equal([.. SchemaMigrator.ScriptNames(SchedulerDatabase.Sqlite).Select(s => $"applied {s}"), $"schema at version {SchemaMigrator.ScriptNames(SchedulerDatabase.Sqlite)[^1]}"], migrate.Output);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                File.Delete(path + suffix);
            }
        }
    }

    [Fact]
    public async Task DbMigrate_Exits2_WithoutAConnectionString_OrWithAnUnreachableServer()
    {
        var missing = await RunAsync("db", "migrate");
        var unreachable = await RunAsync("db", "migrate", "--connection", "Host=127.0.0.1;Port=1;Username=postgres;Password=secret-0451;Database=x;Timeout=2");

        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--connection is missing.", missing.Error, StringComparison.Ordinal);
        Assert.Equal(5, unreachable.ExitCode);
        Assert.StartsWith("The Postgres database failed: ", unreachable.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-0451", unreachable.Error, StringComparison.Ordinal);
    }

    /// <summary>A database of its own on the test server, dropped afterwards.</summary>
    private sealed class ScratchDatabase(string server, string name) : IAsyncDisposable
    {
        public string ConnectionString { get; } = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;

        public static async Task<ScratchDatabase> CreateAsync()
        {
            var server = Environment.GetEnvironmentVariable("SCHEDULER_TEST_POSTGRES") is { Length: > 0 } configured ? configured
                : throw new InvalidOperationException("These tests need PostgreSQL: run scripts/services.sh and export the SCHEDULER_TEST_POSTGRES line it prints.");
            var database = new ScratchDatabase(server, "scheduler_cli_test_" + Guid.NewGuid().ToString("N")[..12]);
            await Execute(server, $"CREATE DATABASE {database.Name}");
            return database;
        }

        private string Name => name;

        public Task ExecuteAsync(string sql) => Execute(ConnectionString, sql);

        public async ValueTask DisposeAsync()
        {
            NpgsqlConnection.ClearAllPools();
            await Execute(server, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        }

        private static async Task Execute(string connectionString, string sql)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}
