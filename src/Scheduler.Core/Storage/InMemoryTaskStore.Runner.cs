using Scheduler.Contracts;
using Scheduler.Core.Definitions;

namespace Scheduler.Core.Storage;

/// <summary>The <see cref="IRunnerStore"/> port of the in-memory store.</summary>
public sealed partial class InMemoryTaskStore
{
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
                TaskInstanceLifecycle.Record(_attempts, TaskInstanceLifecycle.Expired(instance, request.Now));
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
                TaskInstanceLifecycle.Record(_attempts, TaskInstanceLifecycle.Claimed(instance, request.Owner, request.Now), claim: true);
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
                    TaskInstanceLifecycle.Record(_attempts, TaskInstanceLifecycle.Dispatched(instance.Id, outcome.Attempt, outcome.At));
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
                    TaskInstanceLifecycle.Record(_attempts, TaskInstanceLifecycle.Released(instance.Id, claim.Attempt));
                    TaskInstanceLifecycle.Release(instance, request.DueAt);
                    released++;
                }
            }

            return Task.FromResult(released);
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
                    TaskInstanceLifecycle.Record(_attempts, TaskInstanceLifecycle.DispatchFailed(failure));
                    failed.Add(failure.InstanceId);
                }
            }

            return Task.FromResult<IReadOnlyList<Guid>>(failed);
        }
    }

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
                    TaskInstanceLifecycle.Record(_attempts, TaskInstanceLifecycle.Ended(instance.Id, claim.Attempt, request.Status, request.At, request.Reason));
                    ended++;
                }
            }

            return Task.FromResult(ended);
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
    public Task<int> ExtendRunningAttemptsAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_instances.Values.Count(instance => TaskInstanceLifecycle.GraceAfterOutage(instance, now)));
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
}
