using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;

namespace Scheduler.MassTransit.Tests;

/// <summary>An in-memory store whose writes can be held at a gate, to force one interleaving of the runner and the saga.</summary>
internal sealed class GatedStore(ITaskStore inner) : ITaskStore
{
    /// <summary>Awaited before the first <see cref="RecordDispatchesAsync"/> only.</summary>
    public Func<Task>? BeforeFirstRecordDispatches { get; set; }

    /// <summary>Awaited before the first <see cref="ApplyOutcomesAsync"/> only.</summary>
    public Func<Task>? BeforeFirstUpdate { get; set; }

    public TaskCompletionSource Recorded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Updated { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<int> RecordDispatchesAsync(DispatchRecordRequest request, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _recordGate, 1) == 0 && BeforeFirstRecordDispatches is { } gate)
        {
            await gate();
        }

        var result = await inner.RecordDispatchesAsync(request, cancellationToken);
        Recorded.TrySetResult();
        return result;
    }

    public async Task<IReadOnlyList<bool>> ApplyOutcomesAsync(IReadOnlyList<InstanceOutcome> outcomes, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _updateGate, 1) == 0 && BeforeFirstUpdate is { } gate)
        {
            await gate();
        }

        var applied = await inner.ApplyOutcomesAsync(outcomes, cancellationToken);
        if (applied.Contains(true))
        {
            Updated.TrySetResult();
        }

        return applied;
    }

    private int _recordGate;
    private int _updateGate;

    public Task<IReadOnlyList<AddDefinitionResult>> AddDefinitionsAsync(IReadOnlyList<TaskDefinition> definitions,
        CancellationToken cancellationToken = default) => inner.AddDefinitionsAsync(definitions, cancellationToken);

    public Task<TaskDefinition?> GetDefinitionAsync(Guid id, CancellationToken cancellationToken = default) => inner.GetDefinitionAsync(id, cancellationToken);

    public Task<IReadOnlyList<TaskAttempt>> GetAttemptsAsync(IReadOnlyCollection<Guid> instanceIds, CancellationToken cancellationToken = default) =>
        inner.GetAttemptsAsync(instanceIds, cancellationToken);

    public Task<bool> CancelDefinitionAsync(Guid id, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        inner.CancelDefinitionAsync(id, now, cancellationToken);

    public Task<IReadOnlyList<Guid>> GetDefinitionsChangedSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default) =>
        inner.GetDefinitionsChangedSinceAsync(since, cancellationToken);

    public Task<DefinitionChangeResult> ChangeDefinitionAsync(DefinitionChangeRequest request, CancellationToken cancellationToken = default) =>
        inner.ChangeDefinitionAsync(request, cancellationToken);

    public Task<Core.Calendars.TaskCalendar?> GetCalendarAsync(string name, CancellationToken cancellationToken = default) =>
        inner.GetCalendarAsync(name, cancellationToken);

    public Task<IReadOnlyList<Core.Calendars.TaskCalendar>> ListCalendarsAsync(CancellationToken cancellationToken = default) =>
        inner.ListCalendarsAsync(cancellationToken);

    public Task<CalendarChangeResult> ChangeCalendarAsync(CalendarChangeRequest request, CancellationToken cancellationToken = default) =>
        inner.ChangeCalendarAsync(request, cancellationToken);

    public Task<(TaskDefinition? Definition, bool Added)> AddInstanceAsync(TaskInstance instance, CancellationToken cancellationToken = default) =>
        inner.AddInstanceAsync(instance, cancellationToken);

    public Task<IReadOnlyList<TaskDefinition>> ListDefinitionsAsync(DefinitionQuery query, CancellationToken cancellationToken = default) =>
        inner.ListDefinitionsAsync(query, cancellationToken);

    public Task<IReadOnlyList<TaskInstance>> ListInstancesAsync(InstanceQuery query, CancellationToken cancellationToken = default) =>
        inner.ListInstancesAsync(query, cancellationToken);

    public Task<ClusterView> GetClusterViewAsync(ClusterViewRequest request, CancellationToken cancellationToken = default) =>
        inner.GetClusterViewAsync(request, cancellationToken);

    public Task<IReadOnlyDictionary<Guid, DateTimeOffset>> GetNextPendingFireTimesAsync(IReadOnlyCollection<Guid> definitionIds, DateTimeOffset after,
        CancellationToken cancellationToken = default) => inner.GetNextPendingFireTimesAsync(definitionIds, after, cancellationToken);

    public Task<IReadOnlyDictionary<Guid, TaskInstance>> GetLastOutcomesAsync(IReadOnlyCollection<Guid> definitionIds,
        CancellationToken cancellationToken = default) => inner.GetLastOutcomesAsync(definitionIds, cancellationToken);

    public Task<IReadOnlyList<DestinationLoad>> GetDestinationLoadsAsync(DateTimeOffset now, DateTimeOffset failedSince,
        CancellationToken cancellationToken = default) => inner.GetDestinationLoadsAsync(now, failedSince, cancellationToken);

    public Task<IReadOnlyList<DateTimeOffset>> GetPendingFireTimesAsync(Guid definitionId, DateTimeOffset after, int count,
        CancellationToken cancellationToken = default) => inner.GetPendingFireTimesAsync(definitionId, after, count, cancellationToken);

    public Task<IReadOnlyList<TaskInstance>> ListDeadLettersAsync(DeadLetterQuery query, CancellationToken cancellationToken = default) =>
        inner.ListDeadLettersAsync(query, cancellationToken);

    public Task<IReadOnlyList<Guid>> RequeueDeadLettersAsync(IReadOnlyCollection<Guid> instanceIds, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        inner.RequeueDeadLettersAsync(instanceIds, now, cancellationToken);

    public Task<DeadLetterRequeueResult> RequeueMatchingDeadLettersAsync(DeadLetterRequeueRequest request, CancellationToken cancellationToken = default) =>
        inner.RequeueMatchingDeadLettersAsync(request, cancellationToken);

    public Task<int?> DeleteDefinitionAsync(Guid id, CancellationToken cancellationToken = default) => inner.DeleteDefinitionAsync(id, cancellationToken);

    public Task<TaskInstance?> DeleteInstanceAsync(Guid id, CancellationToken cancellationToken = default) => inner.DeleteInstanceAsync(id, cancellationToken);

    public Task<(TaskInstance? Instance, bool Changed)> RetryInstanceNowAsync(Guid id, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        inner.RetryInstanceNowAsync(id, now, cancellationToken);

    public Task<IReadOnlyList<OpenOccurrence>> GetOpenOccurrencesAsync(IReadOnlyCollection<Guid> definitionIds, CancellationToken cancellationToken = default) =>
        inner.GetOpenOccurrencesAsync(definitionIds, cancellationToken);

    public Task<MaterializeResult> MaterializeDueDefinitionsAsync(MaterializeRequest request, CancellationToken cancellationToken = default) =>
        inner.MaterializeDueDefinitionsAsync(request, cancellationToken);

    public Task<ClaimResult> ClaimDueInstancesAsync(ClaimRequest request, CancellationToken cancellationToken = default) =>
        inner.ClaimDueInstancesAsync(request, cancellationToken);

    public Task<IReadOnlyList<Guid>> RenewLeasesAsync(LeaseRenewalRequest request, CancellationToken cancellationToken = default) =>
        inner.RenewLeasesAsync(request, cancellationToken);

    public Task<IReadOnlyList<TaskInstance>> GetInstancesByIdAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken = default) =>
        inner.GetInstancesByIdAsync(ids, cancellationToken);

    public Task<int> ReleaseClaimsAsync(ReleaseRequest request, CancellationToken cancellationToken = default) =>
        inner.ReleaseClaimsAsync(request, cancellationToken);

    public Task<DateTimeOffset?> GetDatabaseTimeAsync(CancellationToken cancellationToken = default) => inner.GetDatabaseTimeAsync(cancellationToken);

    public Task<int> ExtendRunningAttemptsAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        inner.ExtendRunningAttemptsAsync(now, cancellationToken);

    public Task<int> EndClaimsAsync(EndClaimsRequest request, CancellationToken cancellationToken = default) =>
        inner.EndClaimsAsync(request, cancellationToken);

    public Task<NodeRunStart> StartNodeRunAsync(NodeRunRequest request, CancellationToken cancellationToken = default) =>
        inner.StartNodeRunAsync(request, cancellationToken);

    public Task<bool> RefreshNodeRunAsync(string nodeId, Guid runId, DateTimeOffset now, TimeSpan? clockOffset, CancellationToken cancellationToken = default) =>
        inner.RefreshNodeRunAsync(nodeId, runId, now, clockOffset, cancellationToken);

    public Task<bool> EndNodeRunAsync(string nodeId, Guid runId, CancellationToken cancellationToken = default) =>
        inner.EndNodeRunAsync(nodeId, runId, cancellationToken);

    public Task<ClusterIdentity> JoinClusterAsync(string clusterName, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        inner.JoinClusterAsync(clusterName, now, cancellationToken);

    public Task<bool> LeaveClusterAsync(ClusterIdentity identity, CancellationToken cancellationToken = default) =>
        inner.LeaveClusterAsync(identity, cancellationToken);

    public Task<IReadOnlyList<Guid>> FailDispatchesAsync(DispatchFailureRequest request, CancellationToken cancellationToken = default) =>
        inner.FailDispatchesAsync(request, cancellationToken);

    public Task<TaskInstance?> GetInstanceAsync(Guid id, CancellationToken cancellationToken = default) => inner.GetInstanceAsync(id, cancellationToken);

    public Task<IReadOnlyList<TaskInstance>> GetInstancesAsync(Guid definitionId, CancellationToken cancellationToken = default) =>
        inner.GetInstancesAsync(definitionId, cancellationToken);

    public Task<CleanupResult> CleanupAsync(CleanupRequest request, CancellationToken cancellationToken = default) =>
        inner.CleanupAsync(request, cancellationToken);
}
