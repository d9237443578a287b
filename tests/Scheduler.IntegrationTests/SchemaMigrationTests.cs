using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;
using Scheduler.EntityFrameworkCore;
using Scheduler.EntityFrameworkCore.Migrations;
using Xunit.Abstractions;
using static Scheduler.IntegrationTests.TestData;

namespace Scheduler.IntegrationTests;

/// <summary>
/// The versioned migrations (<see cref="SchemaMigrator"/>) on real PostgreSQL and SQLite, a fresh database per test: a fresh one is created,
/// a newer one is refused, automatic migration off refuses a database behind, and four migrators at once on one fresh database all succeed.
/// </summary>
public sealed class SchemaMigrationTests(ITestOutputHelper output)
{
    public static TheoryData<SchedulerDatabase> Engines => [SchedulerDatabase.Postgres, SchedulerDatabase.Sqlite];

    /// <summary>The partial indexes serve the claim only if their predicates name the states the store's SQL takes from the enum.</summary>
    [Theory]
    [InlineData("Postgres")]
    [InlineData("Sqlite")]
    public void Scripts_IndexTheStatesTheStoresSqlNames(string dialect)
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        using var stream = assembly.GetManifestResourceStream($"Scheduler.EntityFrameworkCore.Migrations.{dialect}.0001_initial.sql")!;
        var script = new StreamReader(stream).ReadToEnd();

        Assert.Contains($"ON task_instances (due_at) WHERE status IN ({SqlValues.DueIndexStates});", script, StringComparison.Ordinal);
        Assert.Contains($"ON task_instances (lease_expires_at) WHERE status = {SqlValues.LeaseIndexState};", script, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Migrate_CreatesTheSchema_OnAnEmptyDatabase_ThenHasNothingToDo(SchedulerDatabase engine)
    {
        await using var database = await TestDatabase.CreateAsync(engine);
        var before = await database.Migrator().GetStatusAsync();

        var applied = await database.Migrator().MigrateAsync();
        var again = await database.Migrator().MigrateAsync();

        Assert.Equal(SchemaMigrator.ScriptNames(engine), before.Pending);
        Assert.Equal("none", before.DatabaseVersion);
        Assert.Equal(SchemaMigrator.ScriptNames(engine), applied);
        Assert.Empty(again);
        var after = await database.Migrator().GetStatusAsync();
        Assert.Equal((false, false, database.Migrator().LatestVersion), (after.IsBehind, after.IsNewer, after.DatabaseVersion));
        var store = database.CreateStore();
        await SeedAsync(store, T0);
        Assert.Single((await store.ClaimDueInstancesAsync(Claim("node-a", T0))).Claimed);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task MigrateAndEnsureSchema_Refuse_WhenTheDatabaseIsNewer(SchedulerDatabase engine)
    {
        await using var database = await TestDatabase.CreateAsync(engine);
        await database.Migrator().MigrateAsync();
        await database.ExecuteScriptAsync($"INSERT INTO scheduler_schema_versions (script_name, applied_at) VALUES ('9999_from_a_later_release', {(engine == SchedulerDatabase.Sqlite ? "0" : "'2030-01-01T00:00:00Z'")})");

        var migrate = await Assert.ThrowsAsync<SchemaVersionException>(() => database.Migrator().MigrateAsync());
        var verify = await Assert.ThrowsAsync<SchemaVersionException>(() => database.CreateStore(autoMigrate: false).EnsureSchemaAsync());
        var start = await Assert.ThrowsAsync<SchemaVersionException>(() => database.CreateStore().EnsureSchemaAsync());

        Assert.Contains($"at version 9999_from_a_later_release, newer than this build knows (latest {database.Migrator().LatestVersion})", migrate.Message, StringComparison.Ordinal);
        Assert.Contains("Upgrade this node", migrate.Message, StringComparison.Ordinal);
        Assert.Equal(migrate.Message, verify.Message);
        Assert.Equal(migrate.Message, start.Message);
        Assert.True((await database.Migrator().GetStatusAsync()).IsNewer);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task EnsureSchema_Refuses_WhenAutoMigrateIsOffAndScriptsArePending(SchedulerDatabase engine)
    {
        await using var database = await TestDatabase.CreateAsync(engine);
        var store = database.CreateStore(autoMigrate: false);

        var refused = await Assert.ThrowsAsync<SchemaVersionException>(() => store.EnsureSchemaAsync());
        var joining = await Assert.ThrowsAsync<SchemaVersionException>(() => store.JoinClusterAsync("scheduler", T0));

        Assert.Contains($"schema is at version none; this node needs {database.Migrator().LatestVersion}", refused.Message, StringComparison.Ordinal);
        Assert.Contains("automatic migration is off. Run 'scheduler db migrate --provider", refused.Message, StringComparison.Ordinal);
        Assert.Equal(refused.Message, joining.Message);
        Assert.Empty(await database.JournalAsync()); // nothing was created

        await database.Migrator().MigrateAsync();
        await store.EnsureSchemaAsync(); // current now: accepted
        Assert.Equal("scheduler", (await store.JoinClusterAsync("scheduler", T0)).ClusterName);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Migrate_Succeeds_WhenFourMigratorsRunAtOnceOnAFreshDatabase(SchedulerDatabase engine)
    {
        var races = new RaceCounter();
        for (var round = 0; round < 3; round++)
        {
            await using var database = await TestDatabase.CreateAsync(engine);

            var applied = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => database.Migrator(races).MigrateAsync())));

            // Every script ran (at least once: each is idempotent) and is journaled once.
            Assert.Equal(SchemaMigrator.ScriptNames(engine), applied.SelectMany(a => a).Distinct().Order(StringComparer.Ordinal));
            Assert.Equal(SchemaMigrator.ScriptNames(engine), await database.JournalAsync());
            await SeedAsync(database.CreateStore(), T0);
        }

        // Whether the runs raced depends on timing; how often they did is reported, not asserted.
        output.WriteLine($"{races.Count} migration run(s) lost a race and started again");
    }

    /// <summary>Counts the migrator's "running the migration again" lines.</summary>
    private sealed class RaceCounter : ILogger
    {
        private int _count;

        public int Count => _count;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (formatter(state, exception).Contains("running the migration again", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _count);
            }
        }
    }

    /// <summary>A fresh database of one engine for one test, dropped (or deleted) afterwards.</summary>
    private sealed class TestDatabase : IAsyncDisposable
    {
        private readonly PostgresDatabaseFixture? _postgres;
        private readonly SqliteDatabaseFixture? _sqlite;

        private TestDatabase(PostgresDatabaseFixture? postgres, SqliteDatabaseFixture? sqlite) => (_postgres, _sqlite) = (postgres, sqlite);

        public static async Task<TestDatabase> CreateAsync(SchedulerDatabase engine) => engine == SchedulerDatabase.Sqlite
            ? new TestDatabase(null, new SqliteDatabaseFixture())
            : new TestDatabase(await PostgresDatabaseFixture.CreateAsync(), null);

        public string ConnectionString => _postgres?.ConnectionString ?? _sqlite!.ConnectionString;

        public EfTaskStoreOptions Options => _postgres is not null ? PostgresDatabaseFixture.Options : SqliteDatabaseFixture.Options;

        public SchemaMigrator Migrator(ILogger? logger = null) => new(Options.Database, ConnectionString, logger);

        public EfTaskStore<SchedulerDbContext> CreateStore(bool autoMigrate = true)
        {
            var options = Options;
            options.AutoMigrate = autoMigrate;
            return StoreFactory.Create(ConnectionString, options);
        }

        /// <summary>Runs a script statement by statement (split at semicolons: no statement of ours contains one).</summary>
        public async Task ExecuteScriptAsync(string script)
        {
            await using var context = StoreFactory.CreateContextFactory(ConnectionString, Options).CreateDbContext();
            foreach (var statement in script.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                await context.Database.ExecuteSqlRawAsync(statement);
            }
        }

        public async Task<List<string>> JournalAsync() => [.. (await Migrator().GetStatusAsync()).Applied];

        public async ValueTask DisposeAsync()
        {
            if (_postgres is not null)
            {
                await ((IAsyncDisposable)_postgres).DisposeAsync();
            }

            _sqlite?.Dispose();
        }
    }
}
