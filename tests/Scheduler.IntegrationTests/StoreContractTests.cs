using System.Data;
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

/// <summary>PostgreSQL at its default isolation, ReadCommitted: what a node runs unless <c>Store:IsolationLevel</c> says otherwise.</summary>
public sealed class PostgresReadCommittedTaskStoreContractTests(PostgresDatabaseFixture database) : TaskStoreContractTests, IClassFixture<PostgresDatabaseFixture>
{
    protected override async Task<ITaskStore> CreateEmptyStoreAsync() =>
        await StoreFactory.CreateEmptyAsync(database.ConnectionString, PostgresDatabaseFixture.OptionsAt(IsolationLevel.ReadCommitted));
}

/// <summary>PostgreSQL at Serializable, CockroachDB's only level: conflicts fail with 40001 and take the retry path.</summary>
public sealed class PostgresSerializableTaskStoreContractTests(PostgresDatabaseFixture database) : TaskStoreContractTests, IClassFixture<PostgresDatabaseFixture>
{
    protected override async Task<ITaskStore> CreateEmptyStoreAsync() =>
        await StoreFactory.CreateEmptyAsync(database.ConnectionString, PostgresDatabaseFixture.OptionsAt(IsolationLevel.Serializable));
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
