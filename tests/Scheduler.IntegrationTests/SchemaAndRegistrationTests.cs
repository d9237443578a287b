using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Scheduler.Core;
using Scheduler.Core.Storage;
using Scheduler.EntityFrameworkCore;
using Scheduler.EntityFrameworkCore.Migrations;
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
            ["ix_task_definitions_calendar", "ix_task_definitions_changed_at", "ix_task_definitions_next_fire_time", "ix_task_instances_due_at", "ix_task_instances_finished_at",
                "ix_task_instances_lease_expires_at", "task_definitions_pkey", "task_instances_pkey", "ux_task_definitions_idempotency_key", "ux_task_instances_definition_fire_time"],
            indexes);
        Assert.Equal(SchemaMigrator.ScriptNames(SchedulerDatabase.Postgres), (await new SchemaMigrator(SchedulerDatabase.Postgres, database.ConnectionString).GetStatusAsync()).Applied);
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