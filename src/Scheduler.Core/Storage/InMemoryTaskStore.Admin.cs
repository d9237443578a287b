using Scheduler.Contracts;
using Scheduler.Core.Definitions;

namespace Scheduler.Core.Storage;

/// <summary>The <see cref="IAdminStore"/> port of the in-memory store.</summary>
public sealed partial class InMemoryTaskStore
{
    /// <inheritdoc />
    public Task<TaskInstance?> GetInstanceAsync(Guid id, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_instances.TryGetValue(id, out var instance) ? instance.Clone() : null);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<TaskInstance>> ListInstancesAsync(InstanceQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_lock)
        {
            IReadOnlyList<TaskInstance> page = _instances.Values
                .Where(i => (query.DefinitionId is null || i.DefinitionId == query.DefinitionId) && (query.Status is null || i.Status == query.Status)
                    && (query.After is null || query.After.Precedes(i)) && MatchesTimes(query, i) && MatchesTask(query, _definitions.GetValueOrDefault(i.DefinitionId)))
                .OrderByDescending(i => i.FireTime).ThenByDescending(i => i.Id)
                .Take(query.Take)
                .Select(i => i.Clone()).ToList();
            return Task.FromResult(page);
        }
    }

    private static bool MatchesTimes(InstanceQuery query, TaskInstance instance) =>
        (query.FiredSince is not { } firedSince || instance.FireTime >= firedSince)
        && (query.FiredUntil is not { } firedUntil || instance.FireTime < firedUntil)
        && (query.FinishedSince is not { } finishedSince || instance.FinishedAt >= finishedSince)
        && (query.FinishedUntil is not { } finishedUntil || instance.FinishedAt < finishedUntil);

    private static bool MatchesTask(InstanceQuery query, TaskDefinition? definition) =>
        (query.DestinationQueue is null || definition?.DestinationQueue == query.DestinationQueue)
        && (query.MetadataKey is null
            || (definition is not null && definition.Metadata.TryGetValue(query.MetadataKey, out var value) && (query.MetadataValue is null || value == query.MetadataValue)));

    /// <inheritdoc />
    public Task<IReadOnlyList<TaskInstance>> GetInstancesAsync(Guid definitionId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            IReadOnlyList<TaskInstance> instances = _instances.Values.Where(i => i.DefinitionId == definitionId)
                .OrderBy(i => i.FireTime).Select(i => i.Clone()).ToList();
            return Task.FromResult(instances);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<Guid, DateTimeOffset>> GetNextPendingFireTimesAsync(IReadOnlyCollection<Guid> definitionIds, DateTimeOffset after,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definitionIds);
        var wanted = definitionIds.ToHashSet();
        lock (_lock)
        {
            IReadOnlyDictionary<Guid, DateTimeOffset> next = _instances.Values
                .Where(i => wanted.Contains(i.DefinitionId) && i.FireTime > after && TaskInstanceLifecycle.IsNotBegun(i))
                .GroupBy(i => i.DefinitionId)
                .ToDictionary(g => g.Key, g => g.Min(i => i.FireTime));
            return Task.FromResult(next);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<Guid, TaskInstance>> GetLastOutcomesAsync(IReadOnlyCollection<Guid> definitionIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definitionIds);
        var wanted = definitionIds.ToHashSet();
        lock (_lock)
        {
            IReadOnlyDictionary<Guid, TaskInstance> last = _instances.Values
                .Where(i => wanted.Contains(i.DefinitionId) && TaskInstanceLifecycle.HasOutcome(i))
                .GroupBy(i => i.DefinitionId)
                .ToDictionary(g => g.Key, g => g.OrderByDescending(i => i.FinishedAt).ThenByDescending(i => i.Id).First().Clone());
            return Task.FromResult(last);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<DestinationLoad>> GetDestinationLoadsAsync(DateTimeOffset now, DateTimeOffset failedSince, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            IReadOnlyList<DestinationLoad> loads = [.. DestinationLoad.Query(_instances.Values.AsQueryable(), _definitions.Values.AsQueryable(), now, failedSince)];
            return Task.FromResult(loads);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<DateTimeOffset>> GetPendingFireTimesAsync(Guid definitionId, DateTimeOffset after, int count,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        lock (_lock)
        {
            IReadOnlyList<DateTimeOffset> fireTimes = _instances.Values
                .Where(i => i.DefinitionId == definitionId && i.FireTime > after && TaskInstanceLifecycle.IsNotBegun(i))
                .Select(i => i.FireTime).Order().Take(count).ToList();
            return Task.FromResult(fireTimes);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<TaskInstance>> ListDeadLettersAsync(DeadLetterQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_lock)
        {
            IReadOnlyList<TaskInstance> page = _instances.Values.Where(i => i.Status == TaskInstanceState.Failed)
                .OrderByDescending(i => i.FailedAt).ThenBy(i => i.Id)
                .Skip(query.Skip).Take(query.Take)
                .Select(i => i.Clone()).ToList();
            return Task.FromResult(page);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Guid>> RequeueDeadLettersAsync(IReadOnlyCollection<Guid> instanceIds, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instanceIds);
        lock (_lock)
        {
            var requeued = new List<Guid>();
            foreach (var id in instanceIds.Distinct())
            {
                if (_instances.TryGetValue(id, out var instance) && TaskInstanceLifecycle.IsDeadLetter(instance))
                {
                    TaskInstanceLifecycle.Requeue(instance, now);
                    requeued.Add(id);
                }
            }

            return Task.FromResult<IReadOnlyList<Guid>>(requeued);
        }
    }

    /// <inheritdoc />
    public Task<DeadLetterRequeueResult> RequeueMatchingDeadLettersAsync(DeadLetterRequeueRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var filter = request.Filter;
        ArgumentOutOfRangeException.ThrowIfLessThan(filter.Limit, 1);
        lock (_lock)
        {
            var matching = _instances.Values
                .Where(i => TaskInstanceLifecycle.IsRequeueCandidate(i, _definitions.TryGetValue(i.DefinitionId, out var d) ? d.DestinationQueue : null, filter))
                .OrderBy(i => i.FinishedAt).ThenBy(i => i.Id).Take(filter.Limit + 1).ToList();
            var requeued = new List<Guid>();
            foreach (var instance in matching.Take(filter.Limit))
            {
                TaskInstanceLifecycle.Requeue(instance, request.Now);
                requeued.Add(instance.Id);
            }

            return Task.FromResult(new DeadLetterRequeueResult(requeued, matching.Count > filter.Limit));
        }
    }

    /// <inheritdoc />
    public Task<int?> DeleteDefinitionAsync(Guid id, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_definitions.TryGetValue(id, out var definition))
            {
                return Task.FromResult<int?>(null);
            }

            var instances = _instances.Values.Where(i => i.DefinitionId == id).ToList();
            if (instances.Where(TaskInstanceLifecycle.IsInFlight).Select(i => i.Status).ToList() is { Count: > 0 } inFlight)
            {
                throw TaskInstanceLifecycle.DeleteTaskRefused(id, inFlight);
            }

            foreach (var instance in instances)
            {
                _instances.Remove(instance.Id);
            }

            ForgetAttempts(instances);

            _definitions.Remove(id);
            if (definition.IdempotencyKey is { } key)
            {
                _idempotencyKeys.Remove(key);
            }

            return Task.FromResult<int?>(instances.Count);
        }
    }

    /// <inheritdoc />
    public Task<TaskInstance?> DeleteInstanceAsync(Guid id, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_instances.TryGetValue(id, out var instance))
            {
                return Task.FromResult<TaskInstance?>(null);
            }

            TaskInstanceLifecycle.RequireDeletable(instance);
            _instances.Remove(id);
            ForgetAttempts([instance]);
            return Task.FromResult<TaskInstance?>(instance.Clone());
        }
    }

    /// <inheritdoc />
    public Task<(TaskInstance? Instance, bool Changed)> RetryInstanceNowAsync(Guid id, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_instances.TryGetValue(id, out var instance))
            {
                return Task.FromResult<(TaskInstance?, bool)>((null, false));
            }

            TaskInstanceLifecycle.RequireWaitingForRetry(instance);
            var changed = TaskInstanceLifecycle.RetryNow(instance, now);
            return Task.FromResult<(TaskInstance?, bool)>((instance.Clone(), changed));
        }
    }

    /// <inheritdoc />
    public Task<ClusterView> GetClusterViewAsync(ClusterViewRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ClusterActivity.BucketCount(request);
        lock (_lock)
        {
            var due = _instances.Values
                .Where(i => i.Status is TaskInstanceState.Scheduled or TaskInstanceState.Claimed && i.DueAt <= request.Now)
                .Select(i => i.DueAt!.Value).ToList();
            var claims = _instances.Values.Where(i => i.Status == TaskInstanceState.Claimed && i.LeaseOwner is not null)
                .GroupBy(i => i.LeaseOwner!, StringComparer.Ordinal)
                .Select(g => (g.Key, g.Count(), g.Max(i => i.LeaseExpiresAt)));
            var nodes = ClusterNodes.Merge(_nodeRuns.Values, claims, request);
            var activity = ClusterActivity.Fold(ClusterActivity.Rows(_instances.Values, request), request);
            return Task.FromResult(new ClusterView(request.Now, due.Count, due.Count == 0 ? null : due.Min(), nodes, activity));
        }
    }
}
