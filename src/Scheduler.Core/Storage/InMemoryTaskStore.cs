using Scheduler.Contracts;
using Scheduler.Core.Definitions;

namespace Scheduler.Core.Storage;

/// <summary>
/// An <see cref="ITaskStore"/> in process memory, for tests and toys: nothing survives the process, and only the nodes of one process share it.
/// Every operation runs under one lock, which makes each atomic. Objects handed out are copies.
/// </summary>
public sealed class InMemoryTaskStore : ITaskStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, TaskDefinition> _definitions = [];
    private readonly Dictionary<string, Guid> _idempotencyKeys = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, TaskInstance> _instances = [];
    private readonly HashSet<(Guid DefinitionId, DateTimeOffset FireTime)> _occurrences = [];
    private readonly Dictionary<string, Calendars.TaskCalendar> _calendars = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (Guid RunId, DateTimeOffset SeenAt)> _nodeRuns = new(StringComparer.Ordinal);
    private ClusterIdentity? _identity;

    /// <summary>Creates an empty store that belongs to no cluster yet: the first node that starts on it records its cluster name.</summary>
    public InMemoryTaskStore()
    {
    }

    /// <summary>Creates an empty store that belongs to cluster <paramref name="clusterName"/> already, as a database started by a node of that
    /// cluster would (for tests of a node that joins the wrong database).</summary>
    /// <param name="clusterName">The cluster name recorded as the owner.</param>
    public InMemoryTaskStore(string clusterName) => _identity = new ClusterIdentity(clusterName, Guid.NewGuid());

    /// <inheritdoc />
    public Task<IReadOnlyList<AddDefinitionResult>> AddDefinitionsAsync(IReadOnlyList<TaskDefinition> definitions,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        var batch = DefinitionBatch.Of(definitions);
        IReadOnlyList<AddDefinitionResult> results;
        lock (_lock)
        {
            results = batch.Resolve(Add);
        }

        return Task.FromResult<IReadOnlyList<AddDefinitionResult>>(results);
    }

    /// <inheritdoc />
    public Task<TaskDefinition?> GetDefinitionAsync(Guid id, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_definitions.TryGetValue(id, out var definition) ? definition.Clone() : null);
        }
    }

    /// <inheritdoc />
    public Task<bool> CancelDefinitionAsync(Guid id, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_definitions.TryGetValue(id, out var definition) || definition.CancelledAt is not null)
            {
                return Task.FromResult(false);
            }

            definition.NextFireTime = null;
            definition.CancelledAt = now;
            definition.ChangedAt = now;
            definition.Version++;
            foreach (var instance in _instances.Values)
            {
                if (instance.DefinitionId == id && TaskInstanceLifecycle.IsCancellable(instance))
                {
                    TaskInstanceLifecycle.Cancel(instance, now);
                }
            }

            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Guid>> GetDefinitionsChangedSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            IReadOnlyList<Guid> ids = _definitions.Values.Where(d => d.ChangedAt >= since).Select(d => d.Id).ToList();
            return Task.FromResult(ids);
        }
    }

    /// <inheritdoc />
    public Task<DefinitionChangeResult> ChangeDefinitionAsync(DefinitionChangeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_lock)
        {
            if (!_definitions.TryGetValue(request.Id, out var stored))
            {
                return Task.FromResult(new DefinitionChangeResult(null, false));
            }

            if (request.Edit(stored.Clone()) is not { } edit)
            {
                return Task.FromResult(new DefinitionChangeResult(stored.Clone(), false));
            }

            return Task.FromResult(new DefinitionChangeResult(Apply(stored, edit, request.Now).Clone(), true));
        }
    }

    // Writes an edit of a stored definition, taking back its occurrences not yet begun as the edit says (under the lock).
    private TaskDefinition Apply(TaskDefinition stored, DefinitionEdit edit, DateTimeOffset now)
    {
        var updated = edit.Updated.Clone();
        if (edit.TakeBack != TakeBack.None)
        {
            var takenBack = _instances.Values.Where(i => i.DefinitionId == stored.Id && TaskInstanceLifecycle.IsNotBegun(i)).ToList();
            foreach (var instance in takenBack)
            {
                _instances.Remove(instance.Id);
                _occurrences.Remove((instance.DefinitionId, instance.FireTime));
            }

            if (edit.TakeBack == TakeBack.Rewind && takenBack.Count > 0)
            {
                updated.NextFireTime = TaskInstanceLifecycle.Rewound(updated.NextFireTime, takenBack.Min(i => i.FireTime));
            }
        }

        updated.ChangedAt = now;
        updated.Version = stored.Version + 1;
        _definitions[stored.Id] = updated;
        return updated;
    }

    /// <inheritdoc />
    public Task<Calendars.TaskCalendar?> GetCalendarAsync(string name, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_calendars.GetValueOrDefault(name));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Calendars.TaskCalendar>> ListCalendarsAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            IReadOnlyList<Calendars.TaskCalendar> all = [.. _calendars.Values.OrderBy(c => c.Name, StringComparer.Ordinal)];
            return Task.FromResult(all);
        }
    }

    /// <inheritdoc />
    public Task<CalendarChangeResult> ChangeCalendarAsync(CalendarChangeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_lock)
        {
            var existing = _calendars.GetValueOrDefault(request.Name);
            if ((request.Spec is null && existing is null) || (request.Spec is { } same && existing is not null && Triggers.Calendars.CalendarSpecs.Equal(same, existing.Spec)))
            {
                return Task.FromResult(new CalendarChangeResult(existing, false, []));
            }

            var calendar = request.Spec is { } spec
                ? new Calendars.TaskCalendar { Name = request.Name, Spec = spec, Version = (existing?.Version ?? 0) + 1, CreatedAt = existing?.CreatedAt ?? request.Now, ChangedAt = request.Now }
                : null;
            var naming = _definitions.Values.Where(d => d.CancelledAt is null && string.Equals(d.Calendar, request.Name, StringComparison.Ordinal)).ToList();
            var edits = naming.Select(d => (Stored: d, Edit: request.Edit(d.Clone(), calendar))).Where(e => e.Edit is not null).ToList(); // all or nothing
            foreach (var (stored, edit) in edits)
            {
                Apply(stored, edit!, request.Now);
            }

            if (calendar is null)
            {
                _calendars.Remove(request.Name);
            }
            else
            {
                _calendars[request.Name] = calendar;
            }

            return Task.FromResult(new CalendarChangeResult(calendar, true, [.. edits.Select(e => e.Stored.Id)]));
        }
    }

    /// <inheritdoc />
    public Task<(TaskDefinition? Definition, bool Added)> AddInstanceAsync(TaskInstance instance, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        lock (_lock)
        {
            if (!_definitions.TryGetValue(instance.DefinitionId, out var definition))
            {
                return Task.FromResult<(TaskDefinition?, bool)>((null, false));
            }

            var added = definition.CancelledAt is null && !_instances.ContainsKey(instance.Id) && _occurrences.Add((instance.DefinitionId, instance.FireTime));
            if (added)
            {
                var stored = instance.Clone();
                stored.Version = 1;
                _instances.Add(stored.Id, stored);
            }

            return Task.FromResult<(TaskDefinition?, bool)>((definition.Clone(), added));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<TaskDefinition>> ListDefinitionsAsync(DefinitionQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_lock)
        {
            IReadOnlyList<TaskDefinition> page = _definitions.Values
                .Where(d => query.State is null || d.State == query.State)
                .Where(d => query.MetadataKey is null
                    || (d.Metadata.TryGetValue(query.MetadataKey, out var value) && (query.MetadataValue is null || value == query.MetadataValue)))
                .OrderBy(d => d.CreatedAt).ThenBy(d => d.Id)
                .Skip(query.Skip).Take(query.Take)
                .Select(d => d.Clone()).ToList();
            return Task.FromResult(page);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<TaskInstance>> ListInstancesAsync(InstanceQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_lock)
        {
            IReadOnlyList<TaskInstance> page = _instances.Values
                .Where(i => i.DefinitionId == query.DefinitionId && (query.Status is null || i.Status == query.Status))
                .OrderByDescending(i => i.FireTime)
                .Skip(query.Skip).Take(query.Take)
                .Select(i => i.Clone()).ToList();
            return Task.FromResult(page);
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
            var nodes = _instances.Values.Where(i => i.Status == TaskInstanceState.Claimed && i.LeaseOwner is not null)
                .GroupBy(i => i.LeaseOwner!, StringComparer.Ordinal)
                .Select(g => new NodeClaims(g.Key, g.Count(), g.Max(i => i.LeaseExpiresAt)))
                .OrderBy(n => n.NodeId, StringComparer.Ordinal).ToList();
            var activity = ClusterActivity.Fold(ClusterActivity.Rows(_instances.Values, request), request);
            return Task.FromResult(new ClusterView(request.Now, due.Count, due.Count == 0 ? null : due.Min(), nodes, activity));
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
    public Task<IReadOnlyList<OpenOccurrence>> GetOpenOccurrencesAsync(IReadOnlyCollection<Guid> definitionIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definitionIds);
        var wanted = definitionIds.ToHashSet();
        lock (_lock)
        {
            IReadOnlyList<OpenOccurrence> open = _instances.Values
                .Where(i => wanted.Contains(i.DefinitionId) && !i.IsFinal)
                .Select(i => new OpenOccurrence(i.DefinitionId, i.Id, i.FireTime, i.HasBegun))
                .ToList();
            return Task.FromResult(open);
        }
    }

    /// <inheritdoc />
    public Task<MaterializeResult> MaterializeDueDefinitionsAsync(MaterializeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_lock)
        {
            var due = _definitions.Values
                .Where(d => d.NextFireTime is { } next && next <= request.Horizon && d.PausedAt is null)
                .OrderBy(d => d.NextFireTime)
                .Take(request.MaxDefinitions)
                .ToList();
            var inserted = 0;
            DateTimeOffset? earliest = null;
            foreach (var definition in due)
            {
                var plan = request.Plan(definition.Clone(), definition.Calendar is { } name ? _calendars.GetValueOrDefault(name) : null);
                foreach (var instance in plan.Instances)
                {
                    if (!_occurrences.Add((instance.DefinitionId, instance.FireTime)))
                    {
                        continue;
                    }

                    var stored = instance.Clone();
                    stored.Version = 1;
                    _instances.Add(stored.Id, stored);
                    inserted++;
                    if (stored.DueAt is { } dueAt && (earliest is null || dueAt < earliest))
                    {
                        earliest = dueAt;
                    }
                }

                definition.NextFireTime = plan.NextFireTime;
                definition.Version++;
            }

            return Task.FromResult(new MaterializeResult(due.Count, inserted, earliest));
        }
    }

    /// <inheritdoc />
    public Task<ClaimResult> ClaimDueInstancesAsync(ClaimRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_lock)
        {
            var expired = _instances.Values.Where(i => request.ExpiredAttempts && TaskInstanceLifecycle.IsExpiredLastAttempt(i, request.Now))
                .OrderBy(i => i.DueAt).Take(request.MaxCount).ToList();
            foreach (var instance in expired)
            {
                TaskInstanceLifecycle.DeadLetterExpired(instance, request.Now);
            }

            var claimable = _instances.Values
                .Where(i => TaskInstanceLifecycle.IsDue(i, request.Now, request.Horizon, request.ExpiredAttempts) || TaskInstanceLifecycle.HasLapsedClaim(i, request.Now))
                .OrderBy(i => i.Status == TaskInstanceState.Claimed ? i.LeaseExpiresAt : i.DueAt)
                .Take(request.MaxCount)
                .ToList();
            var claimed = new List<ClaimedInstance>(claimable.Count);
            foreach (var instance in claimable)
            {
                TaskInstanceLifecycle.Claim(instance, request.Owner, request.Now, request.LeaseDuration);
                var definition = _definitions[instance.DefinitionId];
                claimed.Add(new ClaimedInstance(instance.Clone(), definition.Metadata, definition.Payload, definition.DestinationQueue,
                    definition.CancelledAt is not null, definition.AppliedOverlap)
                {
                    TraceParent = definition.TraceParent,
                    Recurring = definition.TriggerKind != TriggerKind.Once,
                });
            }

            return Task.FromResult(new ClaimResult(claimed.OrderBy(c => c.Instance.DueAt).ThenBy(c => c.Instance.Id).ToList(),
                expired.Select(i => i.Clone()).ToList()));
        }
    }

    /// <inheritdoc />
    public Task<int> ExtendRunningAttemptsAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_instances.Values.Count(instance => TaskInstanceLifecycle.GraceAfterOutage(instance, now)));
        }
    }

    /// <inheritdoc />
    public Task<int> RecordDispatchesAsync(DispatchRecordRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_lock)
        {
            var updated = 0;
            foreach (var outcome in request.Outcomes)
            {
                if (_instances.TryGetValue(outcome.InstanceId, out var instance) && TaskInstanceLifecycle.HoldsClaim(instance, request.Owner, outcome.Attempt))
                {
                    TaskInstanceLifecycle.RecordDispatch(instance, outcome.At, request.QueueTimeout);
                    updated++;
                }
            }

            return Task.FromResult(updated);
        }
    }

    /// <inheritdoc />
    public Task<int> ReleaseClaimsAsync(ReleaseRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_lock)
        {
            var released = 0;
            foreach (var claim in request.Claims.Distinct())
            {
                if (_instances.TryGetValue(claim.InstanceId, out var instance) && TaskInstanceLifecycle.HoldsClaim(instance, request.Owner, claim.Attempt))
                {
                    TaskInstanceLifecycle.Release(instance, request.DueAt);
                    released++;
                }
            }

            return Task.FromResult(released);
        }
    }

    /// <inheritdoc />
    public Task<ClusterIdentity> JoinClusterAsync(string clusterName, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterName);
        lock (_lock)
        {
            return Task.FromResult(_identity ??= new ClusterIdentity(clusterName, Guid.NewGuid()));
        }
    }

    /// <inheritdoc />
    public Task<bool> LeaveClusterAsync(ClusterIdentity identity, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var left = _identity == identity && _definitions.Count == 0;
            if (left)
            {
                _identity = null;
            }

            return Task.FromResult(left);
        }
    }

    /// <inheritdoc />
    public Task<NodeRunStart> StartNodeRunAsync(NodeRunRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_lock)
        {
            if (_nodeRuns.TryGetValue(request.NodeId, out var holder) && holder.RunId != request.RunId
                && holder.SeenAt > request.Now - request.LivenessTimeout)
            {
                return Task.FromResult(new NodeRunStart(false, 0, holder.RunId, holder.SeenAt));
            }

            _nodeRuns[request.NodeId] = (request.RunId, request.Now);
            var taken = 0;
            foreach (var instance in _instances.Values.Where(i => TaskInstanceLifecycle.IsClaimOfEarlierRun(i, request.NodeId, request.Now)))
            {
                TaskInstanceLifecycle.EndEarlierRunClaim(instance, request.Now);
                taken++;
            }

            return Task.FromResult(new NodeRunStart(true, taken));
        }
    }

    /// <inheritdoc />
    public Task<bool> RefreshNodeRunAsync(string nodeId, Guid runId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var holds = _nodeRuns.TryGetValue(nodeId, out var holder) && holder.RunId == runId;
            if (holds)
            {
                _nodeRuns[nodeId] = (runId, now);
            }

            return Task.FromResult(holds);
        }
    }

    /// <inheritdoc />
    public Task<bool> EndNodeRunAsync(string nodeId, Guid runId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_nodeRuns.TryGetValue(nodeId, out var holder) && holder.RunId == runId && _nodeRuns.Remove(nodeId));
        }
    }

    /// <inheritdoc />
    /// <remarks>In process: no clock of its own.</remarks>
    public Task<DateTimeOffset?> GetDatabaseTimeAsync(CancellationToken cancellationToken = default) => Task.FromResult<DateTimeOffset?>(null);

    /// <inheritdoc />
    public Task<int> EndClaimsAsync(EndClaimsRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        TaskInstanceLifecycle.RequireEndStatus(request.Status);
        lock (_lock)
        {
            var ended = 0;
            foreach (var claim in request.Claims.Distinct())
            {
                if (_instances.TryGetValue(claim.InstanceId, out var instance) && TaskInstanceLifecycle.HoldsClaim(instance, request.Owner, claim.Attempt))
                {
                    TaskInstanceLifecycle.End(instance, request.Status, request.At, request.Reason);
                    ended++;
                }
            }

            return Task.FromResult(ended);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Guid>> FailDispatchesAsync(DispatchFailureRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_lock)
        {
            var failed = new List<Guid>();
            foreach (var failure in request.Failures)
            {
                if (_instances.TryGetValue(failure.InstanceId, out var instance) && TaskInstanceLifecycle.HoldsClaim(instance, request.Owner, failure.Attempt))
                {
                    TaskInstanceLifecycle.FailDispatch(instance, failure);
                    failed.Add(failure.InstanceId);
                }
            }

            return Task.FromResult<IReadOnlyList<Guid>>(failed);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Guid>> RenewLeasesAsync(LeaseRenewalRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_lock)
        {
            var renewed = new List<Guid>();
            foreach (var claim in request.Claims.Distinct())
            {
                if (_instances.TryGetValue(claim.InstanceId, out var instance) && TaskInstanceLifecycle.HoldsClaim(instance, request.Owner, claim.Attempt))
                {
                    TaskInstanceLifecycle.RenewLease(instance, request.LeaseExpiresAt);
                    renewed.Add(instance.Id);
                }
            }

            return Task.FromResult<IReadOnlyList<Guid>>(renewed);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<bool>> ApplyOutcomesAsync(IReadOnlyList<InstanceOutcome> outcomes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        lock (_lock)
        {
            var applied = new bool[outcomes.Count];
            for (var n = 0; n < outcomes.Count; n++)
            {
                var outcome = outcomes[n];
                if (_instances.TryGetValue(outcome.InstanceId, out var instance) && TaskInstanceLifecycle.Accepts(instance, outcome.Kind, outcome.Attempt))
                {
                    TaskInstanceLifecycle.Apply(instance, outcome);
                    applied[n] = true;
                }
            }

            return Task.FromResult<IReadOnlyList<bool>>(applied);
        }
    }

    /// <inheritdoc />
    public Task<TaskInstance?> GetInstanceAsync(Guid id, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_instances.TryGetValue(id, out var instance) ? instance.Clone() : null);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<TaskInstance>> GetInstancesByIdAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        lock (_lock)
        {
            IReadOnlyList<TaskInstance> found = ids.Distinct().Select(id => _instances.GetValueOrDefault(id)).OfType<TaskInstance>()
                .Select(i => i.Clone()).ToList();
            return Task.FromResult(found);
        }
    }

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
    public Task<CleanupResult> CleanupAsync(CleanupRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_lock)
        {
            var instances = _instances.Values.Where(i => i.IsFinal && i.FinishedAt < request.FinishedBefore).Take(request.MaxCount).ToList();
            foreach (var instance in instances)
            {
                _instances.Remove(instance.Id);
                _occurrences.Remove((instance.DefinitionId, instance.FireTime));
            }

            var live = _instances.Values.Select(i => i.DefinitionId).ToHashSet();
            var definitions = _definitions.Values
                .Where(d => d.NextFireTime is null && !live.Contains(d.Id) && (d.CancelledAt ?? d.CreatedAt) < request.FinishedBefore)
                .Take(request.MaxCount)
                .ToList();
            foreach (var definition in definitions)
            {
                _definitions.Remove(definition.Id);
                if (definition.IdempotencyKey is { } key)
                {
                    _idempotencyKeys.Remove(key);
                }
            }

            return Task.FromResult(new CleanupResult(instances.Count, definitions.Count));
        }
    }

    private AddDefinitionResult Add(TaskDefinition definition)
    {
        if (_definitions.TryGetValue(definition.Id, out var existing)
            || (definition.IdempotencyKey is { } key && _idempotencyKeys.TryGetValue(key, out var id) && _definitions.TryGetValue(id, out existing)))
        {
            return new AddDefinitionResult(existing.Clone(), AlreadyExisted: true);
        }

        var stored = definition.Clone();
        stored.Version = 1;
        _definitions.Add(stored.Id, stored);
        if (stored.IdempotencyKey is { } newKey)
        {
            _idempotencyKeys[newKey] = stored.Id;
        }

        return new AddDefinitionResult(stored.Clone(), AlreadyExisted: false);
    }
}
