using Scheduler.Core.Storage;

namespace Scheduler.IntegrationTests;

public sealed class InMemoryTaskStoreContractTests : TaskStoreContractTests
{
    protected override Task<ITaskStore> CreateEmptyStoreAsync() => Task.FromResult<ITaskStore>(new InMemoryTaskStore());
}

public sealed class SqliteTaskStoreContractTests(SqliteDatabaseFixture database) : TaskStoreContractTests, IClassFixture<SqliteDatabaseFixture>
{
    protected override async Task<ITaskStore> CreateEmptyStoreAsync() =>
        await StoreFactory.CreateEmptyAsync(database.ConnectionString, SqliteDatabaseFixture.Options);
}

public sealed class PostgresTaskStoreContractTests(PostgresDatabaseFixture database) : TaskStoreContractTests, IClassFixture<PostgresDatabaseFixture>
{
    protected override async Task<ITaskStore> CreateEmptyStoreAsync() =>
        await StoreFactory.CreateEmptyAsync(database.ConnectionString, PostgresDatabaseFixture.Options);
}

/// <summary>
/// The CockroachDB dialect's SQL (claims and materialization with <c>FOR UPDATE</c> and no <c>SKIP LOCKED</c>, <c>UseCockroachDb</c>'s
/// settings) run against PostgreSQL at SERIALIZABLE, CockroachDB's only isolation, since no CockroachDB server runs here:
/// scripts/test-cockroachdb.sh runs this suite against a real one (docs/storage.md, "CockroachDB").
/// </summary>
public sealed class CockroachDialectOnPostgresTaskStoreContractTests(PostgresDatabaseFixture database)
    : TaskStoreContractTests, IClassFixture<PostgresDatabaseFixture>
{
    protected override async Task<ITaskStore> CreateEmptyStoreAsync() =>
        await StoreFactory.CreateEmptyAsync(database.ConnectionString, PostgresDatabaseFixture.CockroachDialectOptions);
}
