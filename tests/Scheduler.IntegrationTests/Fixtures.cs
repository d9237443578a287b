using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;
using Scheduler.EntityFrameworkCore;
using Testcontainers.PostgreSql;

namespace Scheduler.IntegrationTests;

/// <summary>
/// The PostgreSQL server the tests use: <c>SCHEDULER_TEST_POSTGRES</c> if set, else a Testcontainers container if Docker is available;
/// otherwise the tests fail, naming the script that starts one.
/// </summary>
internal static class PostgresServer
{
    public const string EnvironmentVariable = "SCHEDULER_TEST_POSTGRES";
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _connectionString;

    public static async Task<string> GetConnectionStringAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_connectionString is not null)
            {
                return _connectionString;
            }

            if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured)
            {
                return _connectionString = configured;
            }

            if (File.Exists("/var/run/docker.sock"))
            {
                var container = new PostgreSqlBuilder("postgres:16-alpine").Build();
                await container.StartAsync();
                return _connectionString = container.GetConnectionString();
            }

            throw new InvalidOperationException(
                $"PostgreSQL integration tests need a server: run scripts/services.sh and export the {EnvironmentVariable} line it prints " +
                $"(e.g. {EnvironmentVariable}=\"Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres;Database=scheduler\"), or make Docker available.");
        }
        finally
        {
            Gate.Release();
        }
    }
}

/// <summary>A fresh PostgreSQL database per test class (random name), dropped afterwards; or per test, with <see cref="CreateAsync"/>.</summary>
public sealed class PostgresDatabaseFixture : IAsyncLifetime, IAsyncDisposable
{
    private string? _serverConnectionString;

    public string DatabaseName { get; } = "scheduler_test_" + Guid.NewGuid().ToString("N")[..12];

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        _serverConnectionString = await PostgresServer.GetConnectionStringAsync();
        await using (var connection = new NpgsqlConnection(_serverConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {DatabaseName}", connection);
            await command.ExecuteNonQueryAsync();
        }

        ConnectionString = new NpgsqlConnectionStringBuilder(_serverConnectionString) { Database = DatabaseName }.ConnectionString;
    }

    /// <summary>A fresh database for one test: <c>await using var database = await PostgresDatabaseFixture.CreateAsync();</c></summary>
    public static async Task<PostgresDatabaseFixture> CreateAsync()
    {
        var database = new PostgresDatabaseFixture();
        await database.InitializeAsync();
        return database;
    }

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    public async Task DisposeAsync()
    {
        if (_serverConnectionString is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_serverConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {DatabaseName} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Store options at SERIALIZABLE isolation, so conflicts take the retry path (CockroachDB's only level).</summary>
    public static EfTaskStoreOptions Options => OptionsAt(IsolationLevel.Serializable);

    /// <summary>Store options at <paramref name="isolationLevel"/>: the tests that hold the store to its guarantees run at PostgreSQL's default,
    /// ReadCommitted (what users run, <see cref="EfTaskStoreOptions.EffectiveIsolationLevel"/>), and at Serializable.</summary>
    public static EfTaskStoreOptions OptionsAt(IsolationLevel isolationLevel) =>
        new() { Database = SchedulerDatabase.Postgres, IsolationLevel = isolationLevel };

    /// <summary>
    /// The CockroachDB dialect (its SQL and <c>UseCockroachDb</c>'s defaults, SERIALIZABLE) on this PostgreSQL database, so that branch
    /// runs somewhere without a CockroachDB server.
    /// </summary>
    public static EfTaskStoreOptions CockroachDialectOptions => new() { Database = SchedulerDatabase.CockroachDb };

    /// <summary>A store on this database at SERIALIZABLE isolation.</summary>
    public EfTaskStore<SchedulerDbContext> CreateStore() => StoreFactory.Create(ConnectionString, Options);
}

/// <summary>A fresh SQLite database file per test class, deleted afterwards.</summary>
public sealed class SqliteDatabaseFixture : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"scheduler-test-{Guid.NewGuid():N}.db");

    public string ConnectionString => $"Data Source={Path}";

    public static EfTaskStoreOptions Options => new() { Database = SchedulerDatabase.Sqlite };

    public EfTaskStore<SchedulerDbContext> CreateStore() => StoreFactory.Create(ConnectionString, Options);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(Path + suffix);
        }
    }
}

internal static class StoreFactory
{
    public static EfTaskStore<SchedulerDbContext> Create(string connectionString, EfTaskStoreOptions options) =>
        new(CreateContextFactory(connectionString, options), options);

    public static PooledDbContextFactory<SchedulerDbContext> CreateContextFactory(string connectionString, EfTaskStoreOptions options)
    {
        var builder = new DbContextOptionsBuilder<SchedulerDbContext>();
        builder.UseSchedulerDatabase(connectionString, options);
        return new(builder.Options);
    }

    /// <summary>A store whose schema exists and whose tables are empty.</summary>
    public static async Task<EfTaskStore<SchedulerDbContext>> CreateEmptyAsync(string connectionString, EfTaskStoreOptions options)
    {
        var store = Create(connectionString, options);
        await store.EnsureSchemaAsync();
        await using var context = CreateContextFactory(connectionString, options).CreateDbContext();
        await context.Database.ExecuteSqlRawAsync("DELETE FROM task_instances");
        await context.Database.ExecuteSqlRawAsync("DELETE FROM task_definitions");
        await context.Database.ExecuteSqlRawAsync("DELETE FROM scheduler_cluster");
        await context.Database.ExecuteSqlRawAsync("DELETE FROM scheduler_calendars");
        await context.Database.ExecuteSqlRawAsync("DELETE FROM scheduler_nodes");
        return store;
    }
}
