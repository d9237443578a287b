using Scheduler.Core.Storage;
using Scheduler.EntityFrameworkCore;
using Xunit.Abstractions;

// Compiled only by scripts/test-cockroachdb.sh (-p:SchedulerCockroachDb=true), so that the default test command neither runs, skips nor
// counts these tests: it has no CockroachDB server (docs/storage.md, "CockroachDB").
namespace Scheduler.IntegrationTests.CockroachDb;

/// <summary>The task store contract suite on a real CockroachDB server.</summary>
public sealed class TaskStoreContractOnCockroachDbServerTests(CockroachDbServer server) : TaskStoreContractTests, IClassFixture<CockroachDbServer>
{
    protected override async Task<ITaskStore> CreateEmptyStoreAsync() => await StoreFactory.CreateEmptyAsync(server.ConnectionString, CockroachDbServer.Options);
}

/// <summary>Concurrent claimers and materializers on a real CockroachDB server: each instance claimed once, conflicts retried.</summary>
public sealed class ConcurrencyOnCockroachDbServerTests(CockroachDbServer server, ITestOutputHelper output)
    : StoreConcurrencyTests(output), IClassFixture<CockroachDbServer>
{
    protected override int Workers => 8;

    protected override string ConnectionString => server.ConnectionString;

    protected override EfTaskStoreOptions CreateOptions() => WithFailureCounter(CockroachDbServer.Options);
}
