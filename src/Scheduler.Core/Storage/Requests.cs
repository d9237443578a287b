using Scheduler.Core.Definitions;

namespace Scheduler.Core.Storage;

/// <summary>Result of <see cref="ITaskStore.AddDefinitionsAsync"/> for one definition.</summary>
/// <param name="Definition">The stored definition: the new one, or the one that existed.</param>
/// <param name="AlreadyExisted">Whether a definition with the same id or idempotency key existed, so nothing was written.</param>
public sealed record AddDefinitionResult(TaskDefinition Definition, bool AlreadyExisted);

/// <summary>What the scheduler loop wants done with one due definition.</summary>
/// <param name="Instances">The instances to insert, one per occurrence.</param>
/// <param name="NextFireTime">The definition's new next fire time (UTC), or <see langword="null"/> when it never fires again.</param>
public sealed record MaterializePlan(IReadOnlyList<TaskInstance> Instances, DateTimeOffset? NextFireTime);

/// <summary>Request of <see cref="ITaskStore.MaterializeDueDefinitionsAsync"/>.</summary>
public sealed record MaterializeRequest
{
    /// <summary>The app's current time (UTC).</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>Definitions whose next fire time is at or before this instant are due (now + execution window).</summary>
    public required DateTimeOffset Horizon { get; init; }

    /// <summary>At most this many definitions are taken per call.</summary>
    public required int MaxDefinitions { get; init; }

    /// <summary>Pure function that plans one definition; it may be called again for the same definition if the store retries a transaction.</summary>
    public required Func<TaskDefinition, MaterializePlan> Plan { get; init; }
}

/// <summary>Result of <see cref="ITaskStore.MaterializeDueDefinitionsAsync"/>.</summary>
/// <param name="Definitions">How many definitions were advanced.</param>
/// <param name="Instances">How many instances were inserted.</param>
/// <param name="EarliestDueAt">The earliest due time among the inserted instances, if any.</param>
public sealed record MaterializeResult(int Definitions, int Instances, DateTimeOffset? EarliestDueAt);

/// <summary>Request of <see cref="ITaskStore.ClaimDueInstancesAsync"/>.</summary>
public sealed record ClaimRequest
{
    /// <summary>The claiming node's id.</summary>
    public required string Owner { get; init; }

    /// <summary>The app's current time (UTC).</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>Scheduled instances due at or before this instant are claimed (now + execution window).</summary>
    public required DateTimeOffset Horizon { get; init; }

    /// <summary>How long past its due time (or now, if later) a claim lasts.</summary>
    public required TimeSpan LeaseDuration { get; init; }

    /// <summary>At most this many instances are claimed.</summary>
    public required int MaxCount { get; init; }
}

/// <summary>A claimed instance with what the runner needs to dispatch it.</summary>
/// <param name="Instance">The instance as claimed: status <see cref="TaskInstanceStatus.Claimed"/>, lease set, <see cref="TaskInstance.Attempt"/>
/// the reserved attempt number, <see cref="TaskInstance.DueAt"/> when to dispatch it.</param>
/// <param name="Metadata">The definition's metadata.</param>
/// <param name="Payload">The definition's payload.</param>
/// <param name="DestinationQueue">The definition's destination queue, if any.</param>
/// <param name="TaskCancelled">Whether the task was cancelled (e.g. while an attempt ran, whose retry or expiry brought the instance back): the
/// runner cancels such a claim instead of dispatching it.</param>
public sealed record ClaimedInstance(TaskInstance Instance, IReadOnlyDictionary<string, string> Metadata, string? Payload, string? DestinationQueue,
    bool TaskCancelled = false);

/// <summary>One claimed attempt, as the fence of the runner's transitions: the instance, the attempt number the claim reserved.</summary>
/// <param name="InstanceId">The instance.</param>
/// <param name="Attempt">The attempt number reserved by the claim.</param>
public readonly record struct ClaimToken(Guid InstanceId, int Attempt);

/// <summary>That the runner dispatched one claimed attempt.</summary>
/// <param name="InstanceId">The instance.</param>
/// <param name="Attempt">The attempt number reserved by the claim.</param>
/// <param name="At">When it was dispatched (UTC); the attempt expires at this plus ExpireAfter.</param>
public sealed record DispatchOutcome(Guid InstanceId, int Attempt, DateTimeOffset At);

/// <summary>Request of <see cref="ITaskStore.RecordDispatchesAsync"/>.</summary>
public sealed record DispatchRecordRequest
{
    /// <summary>The node that holds the claims.</summary>
    public required string Owner { get; init; }

    /// <summary>The dispatches to record.</summary>
    public required IReadOnlyList<DispatchOutcome> Outcomes { get; init; }
}

/// <summary>That the dispatch of one claimed attempt failed for a reason of its own, so the attempt is used up.</summary>
/// <param name="InstanceId">The instance.</param>
/// <param name="Attempt">The attempt number reserved by the claim.</param>
/// <param name="At">When the dispatch failed (UTC).</param>
/// <param name="Error">Why, for <c>last_error</c>.</param>
/// <param name="RetryAt">When the next attempt is due (UTC), or <see langword="null"/> when the retry policy allows no more: the instance is
/// dead-lettered.</param>
public sealed record DispatchFailure(Guid InstanceId, int Attempt, DateTimeOffset At, string Error, DateTimeOffset? RetryAt);

/// <summary>Request of <see cref="ITaskStore.FailDispatchesAsync"/>.</summary>
public sealed record DispatchFailureRequest
{
    /// <summary>The node that holds the claims.</summary>
    public required string Owner { get; init; }

    /// <summary>The failed dispatches.</summary>
    public required IReadOnlyList<DispatchFailure> Failures { get; init; }
}

/// <summary>Request of <see cref="ITaskStore.ReleaseClaimsAsync"/> and <see cref="ITaskStore.CancelClaimsAsync"/>.</summary>
public sealed record ReleaseRequest
{
    /// <summary>The node that holds the claims.</summary>
    public required string Owner { get; init; }

    /// <summary>The claims to release.</summary>
    public required IReadOnlyList<ClaimToken> Claims { get; init; }
}

/// <summary>Request of <see cref="ITaskStore.RenewLeasesAsync"/>.</summary>
public sealed record LeaseRenewalRequest
{
    /// <summary>The node that holds the claims.</summary>
    public required string Owner { get; init; }

    /// <summary>The claims to renew.</summary>
    public required IReadOnlyList<ClaimToken> Claims { get; init; }

    /// <summary>The new end of every renewed lease (UTC).</summary>
    public required DateTimeOffset LeaseExpiresAt { get; init; }
}

/// <summary>Request of <see cref="ITaskStore.CleanupAsync"/>.</summary>
public sealed record CleanupRequest
{
    /// <summary>Final instances that finished (completed, failed or cancelled) before this instant (UTC) are deleted.</summary>
    public required DateTimeOffset FinishedBefore { get; init; }

    /// <summary>At most this many rows of each kind are deleted per call.</summary>
    public required int MaxCount { get; init; }
}

/// <summary>Result of <see cref="ITaskStore.CleanupAsync"/>.</summary>
/// <param name="Instances">Instances deleted.</param>
/// <param name="Definitions">Definitions deleted.</param>
public sealed record CleanupResult(int Instances, int Definitions);
