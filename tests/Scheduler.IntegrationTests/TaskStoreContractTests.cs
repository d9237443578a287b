using Scheduler.Core.Storage;
using static Scheduler.IntegrationTests.TestData;

namespace Scheduler.IntegrationTests;

/// <summary>
/// The documented semantics of every <see cref="ITaskStore"/> operation; each store runs this suite against an empty store per test. The
/// tests of each port are in the file named after it: <c>TaskStoreContractTests.Runner.cs</c> (<see cref="IRunnerStore"/>), <c>.Outcomes.cs</c>,
/// <c>.Definitions.cs</c> (with <c>TaskControlContractTests.cs</c> and <c>CalendarContractTests.cs</c>), <c>.Materializer.cs</c>, <c>.Nodes.cs</c>
/// (with <c>NodeRunContractTests.cs</c>), <c>.Admin.cs</c> (with <c>ClusterViewContractTests.cs</c>) and <c>.Cleanup.cs</c>.
/// </summary>
public abstract partial class TaskStoreContractTests : IAsyncLifetime
{
    private ITaskStore? _store;

    protected ITaskStore Store => _store ?? throw new InvalidOperationException("Not initialized.");

    /// <summary>An empty store for one test.</summary>
    protected abstract Task<ITaskStore> CreateEmptyStoreAsync();

    public async Task InitializeAsync() => _store = await CreateEmptyStoreAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    private async Task<IReadOnlyList<ClaimedInstance>> ClaimAsync(ClaimRequest request) => (await Store.ClaimDueInstancesAsync(request)).Claimed;

    /// <summary>Records dispatches with no queue timeout: an attempt not started expires ExpireAfter after its dispatch.</summary>
    private static DispatchRecordRequest Record(string owner, params DispatchOutcome[] outcomes) =>
        new() { Owner = owner, Outcomes = outcomes, QueueTimeout = TimeSpan.Zero };

    private static InstanceOutcome Completed(Guid id, int attempt, DateTimeOffset at, DateTimeOffset? reportedAt = null) =>
        new(id, attempt, OutcomeKind.Completed, at) { StartedAt = T0.AddSeconds(1), ReportedCompletedAt = reportedAt ?? at };

    private static InstanceOutcome Started(Guid id, int attempt, DateTimeOffset at) => new(id, attempt, OutcomeKind.Started, at) { StartedAt = T0.AddSeconds(1) };

    private static InstanceOutcome Failed(Guid id, int attempt, DateTimeOffset at, DateTimeOffset? retryAt) =>
        new(id, attempt, retryAt is null ? OutcomeKind.DeadLettered : OutcomeKind.RetryScheduled, at) { RetryAt = retryAt, Error = "System.Exception: boom" };
}
