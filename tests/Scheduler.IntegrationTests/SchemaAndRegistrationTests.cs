using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Scheduler.Contracts;
using Scheduler.Core;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;
using Scheduler.EntityFrameworkCore;
using static Scheduler.IntegrationTests.TestData;

namespace Scheduler.IntegrationTests;

public sealed class PostgresSchemaTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task EnsureSchema_Succeeds_WhenEightNodesRunItAtOnceAndAgain()
    {
        // The fixture's database is empty: the nodes race to create every table and index.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => database.CreateStore().EnsureSchemaAsync())));
        await database.CreateStore().EnsureSchemaAsync();

        await using var context = StoreFactory.CreateContextFactory(database.ConnectionString, PostgresDatabaseFixture.Options).CreateDbContext();
        var indexes = await context.Database
            .SqlQueryRaw<string>("SELECT indexname AS \"Value\" FROM pg_indexes WHERE tablename IN ('task_definitions', 'task_instances') ORDER BY 1")
            .ToListAsync();
        Assert.Equal(
            ["ix_task_definitions_changed_at", "ix_task_definitions_next_fire_time", "ix_task_instances_due_at", "ix_task_instances_finished_at",
                "ix_task_instances_lease_expires_at", "task_definitions_pkey", "task_instances_pkey", "ux_task_definitions_idempotency_key", "ux_task_instances_definition_fire_time"],
            indexes);
    }
}

public sealed class RegistrationTests(SqliteDatabaseFixture sqlite, PostgresDatabaseFixture postgres)
    : IClassFixture<SqliteDatabaseFixture>, IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task UseSqlite_RegistersTheStore_AndCreatesTheSchemaWhileTheHostStarts() =>
        await AssertRegistrationWorksAsync(b => b.UseSqlite(sqlite.ConnectionString, o => o.CommandTimeout = TimeSpan.FromSeconds(10)));

    [Fact]
    public async Task UsePostgres_RegistersTheStore_AndCreatesTheSchemaWhileTheHostStarts() =>
        await AssertRegistrationWorksAsync(b => b.UsePostgres(postgres.ConnectionString,
            o => o.IsolationLevel = System.Data.IsolationLevel.Serializable));

    private static async Task AssertRegistrationWorksAsync(Action<SchedulerBuilder> useStore)
    {
        var services = new ServiceCollection().AddLogging();
        useStore(services.AddSchedulerCore());
        await using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<ITaskStore>();
        Assert.IsType<EfTaskStore<SchedulerDbContext>>(store);
        // Only the schema initializer: the loops need a dispatcher and configuration this test does not provide.
        var initializer = Assert.Single(services, d => d.ImplementationType == typeof(SchedulerSchemaInitializer<SchedulerDbContext>));
        var lifecycle = (IHostedLifecycleService)ActivatorUtilities.CreateInstance(provider, initializer.ImplementationType!);
        await lifecycle.StartingAsync(CancellationToken.None);

        var added = await store.AddDefinitionAsync(Definition(nextFireTime: T0));
        Assert.Equal(added.Definition.Id, (await store.GetDefinitionAsync(added.Definition.Id))?.Id);
    }
}

/// <summary>A database created by an earlier version (before <c>max_attempts</c>, <c>reported_completed_at</c>, <c>trigger_phrase</c> and <c>trace_parent</c>) gets the new columns at the
/// next start, and its instances go on through the lifecycle.</summary>
public sealed class SchemaUpgradeTests(SqliteDatabaseFixture sqlite, PostgresDatabaseFixture postgres)
    : IClassFixture<SqliteDatabaseFixture>, IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public Task EnsureSchema_AddsNewColumns_ToAnOlderSqliteTable() => AssertUpgradesAsync(sqlite.ConnectionString, SqliteDatabaseFixture.Options);

    [Fact]
    public Task EnsureSchema_AddsNewColumns_ToAnOlderPostgresTable() => AssertUpgradesAsync(postgres.ConnectionString, PostgresDatabaseFixture.Options);

    private static async Task AssertUpgradesAsync(string connectionString, EfTaskStoreOptions options)
    {
        var store = await StoreFactory.CreateEmptyAsync(connectionString, options);
        await using (var context = StoreFactory.CreateContextFactory(connectionString, options).CreateDbContext())
        {
            await context.Database.ExecuteSqlRawAsync("ALTER TABLE task_instances DROP COLUMN max_attempts");
            await context.Database.ExecuteSqlRawAsync("ALTER TABLE task_instances DROP COLUMN reported_completed_at");
            await context.Database.ExecuteSqlRawAsync("ALTER TABLE task_definitions DROP COLUMN trigger_phrase");
            await context.Database.ExecuteSqlRawAsync("ALTER TABLE task_definitions DROP COLUMN trace_parent");
        }

        await store.EnsureSchemaAsync();
        await store.EnsureSchemaAsync(); // and again: nothing left to add

        // A phrase task is stored as its RRULE, with the phrase beside it for display.
        var phrase = TaskDefinitionFactory.Create(new ScheduleTask { Trigger = "every other tuesday at 9:34am", TimeZone = "America/New_York" }, T0);
        await store.AddDefinitionsAsync([phrase]);
        var stored = (await store.GetDefinitionAsync(phrase.Id))!;
        Assert.Equal(("every other tuesday at 9:34am", TriggerKind.RRule, phrase.Trigger), (stored.TriggerPhrase, stored.TriggerKind, stored.Trigger));

        var (_, instances) = await SeedAsync(store, T0);
        var claimed = Assert.Single((await store.ClaimDueInstancesAsync(Claim("node-a", T0))).Claimed);
        Assert.Equal(instances[0].Id, claimed.Instance.Id);
        Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", claimed.TraceParent);
        Assert.Equal(1, await store.RecordDispatchesAsync(new DispatchRecordRequest { Owner = "node-a", Outcomes = [new DispatchOutcome(claimed.Instance.Id, 1, T0)] }));
        Assert.Equal([true], await store.ApplyOutcomesAsync([new InstanceOutcome(claimed.Instance.Id, 1, OutcomeKind.Completed, T0.AddSeconds(2))
        {
            ReportedCompletedAt = T0.AddSeconds(1),
        }]));
        var completed = (await store.GetInstanceAsync(claimed.Instance.Id))!;
        Assert.Equal((T0.AddSeconds(2), T0.AddSeconds(1)), (completed.CompletedAt, completed.ReportedCompletedAt));
    }
}
