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
