using Scheduler.Contracts;
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

    /// <summary>Pure function that plans one definition, given the calendar it names as read in the same transaction (<see langword="null"/>
    /// when it names none, or the calendar is gone); it may be called again for the same definition if the store retries a transaction.</summary>
    public required Func<TaskDefinition, Calendars.TaskCalendar?, MaterializePlan> Plan { get; init; }
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

    /// <summary>
    /// Whether attempts that expired are claimed again (and dead-lettered when they were the last): only while workers' reports can reach the
    /// node, since silence proves nothing while they cannot (a broker outage). <value>Default <see langword="true"/>.</value>
    /// </summary>
    public bool ExpiredAttempts { get; init; } = true;
}

/// <summary>A claimed instance with what the runner needs to dispatch it.</summary>
/// <param name="Instance">The instance as claimed: status <see cref="TaskInstanceState.Claimed"/>, lease set, <see cref="TaskInstance.Attempt"/>
/// the reserved attempt number, <see cref="TaskInstance.DueAt"/> when to dispatch it.</param>
/// <param name="Metadata">The definition's metadata.</param>
/// <param name="Payload">The definition's payload.</param>
/// <param name="DestinationQueue">The definition's destination queue, if any.</param>
/// <param name="TaskCancelled">Whether the task was cancelled (e.g. while an attempt ran, whose retry or expiry brought the instance back): the
/// runner cancels such a claim instead of dispatching it.</param>
/// <param name="Overlap">The task's overlap policy as the runner applies it: <see cref="OverlapPolicy.AllowAll"/> for a one-off task, which
/// fires once.</param>
public sealed record ClaimedInstance(TaskInstance Instance, IReadOnlyDictionary<string, string> Metadata, string? Payload, string? DestinationQueue,
    bool TaskCancelled = false, OverlapPolicy Overlap = OverlapPolicy.AllowAll)
{
    /// <summary>The task's <see cref="TaskDefinition.TraceParent"/>: the trace of the ScheduleTask that created it, if any.</summary>
    public string? TraceParent { get; init; }

    /// <summary>Whether the task is recurring (any trigger but execute-once): its dispatches link to <see cref="TraceParent"/> rather than
    /// continue it.</summary>
    public bool Recurring { get; init; }
}

/// <summary>One claimed attempt, as the fence of the runner's transitions: the instance, the attempt number the claim reserved.</summary>
/// <param name="InstanceId">The instance.</param>
/// <param name="Attempt">The attempt number reserved by the claim.</param>
public readonly record struct ClaimToken(Guid InstanceId, int Attempt);

/// <summary>That the runner dispatched one claimed attempt.</summary>
/// <param name="InstanceId">The instance.</param>
/// <param name="Attempt">The attempt number reserved by the claim.</param>
/// <param name="At">When it was dispatched (UTC); the attempt expires at this plus <see cref="DispatchRecordRequest.QueueTimeout"/> plus
/// ExpireAfter, or sooner once a worker reports its start (<see cref="TaskInstanceLifecycle.RecordDispatch"/>).</param>
public sealed record DispatchOutcome(Guid InstanceId, int Attempt, DateTimeOffset At);

/// <summary>Request of <see cref="ITaskStore.RecordDispatchesAsync"/>.</summary>
public sealed record DispatchRecordRequest
{
    /// <summary>The node that holds the claims.</summary>
    public required string Owner { get; init; }

    /// <summary>The dispatches to record.</summary>
    public required IReadOnlyList<DispatchOutcome> Outcomes { get; init; }

    /// <summary>How long each <c>TaskDue</c> may wait in its destination queue before a handler starts it (its time to live there,
    /// <see cref="Runtime.SchedulerOptions.QueueTimeout"/>).</summary>
    public required TimeSpan QueueTimeout { get; init; }
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

/// <summary>Request of <see cref="ITaskStore.ReleaseClaimsAsync"/>.</summary>
public sealed record ReleaseRequest
{
    /// <summary>The node that holds the claims.</summary>
    public required string Owner { get; init; }

    /// <summary>The claims to release.</summary>
    public required IReadOnlyList<ClaimToken> Claims { get; init; }

    /// <summary>When the released instances are due again (UTC); <see langword="null"/> to keep their due time.</summary>
    public DateTimeOffset? DueAt { get; init; }
}

/// <summary>Request of <see cref="ITaskStore.EndClaimsAsync"/>.</summary>
public sealed record EndClaimsRequest
{
    /// <summary>The node that holds the claims.</summary>
    public required string Owner { get; init; }

    /// <summary>The claims to end.</summary>
    public required IReadOnlyList<ClaimToken> Claims { get; init; }

    /// <summary>The final status: <see cref="TaskInstanceState.Cancelled"/> or <see cref="TaskInstanceState.Skipped"/>.</summary>
    public required TaskInstanceState Status { get; init; }

    /// <summary>When (UTC): the instances' finish time.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>Why, for <c>last_error</c>; <see langword="null"/> keeps the one there.</summary>
    public string? Reason { get; init; }
}

/// <summary>What <see cref="ITaskStore.ChangeDefinitionAsync"/> does with the task's occurrences not yet begun.</summary>
public enum TakeBack
{
    /// <summary>They stay as planned.</summary>
    None = 0,

    /// <summary>They are deleted and the definition's next fire time moves back to the earliest of them, so they are planned again from the
    /// same trigger (pause: resuming plans them subject to the misfire policy; an update of ExpireAfter or retry: planned with the new values).</summary>
    Rewind = 1,

    /// <summary>They are deleted; the edited definition's next fire time stands (a new trigger: planned from its own fire times).</summary>
    Replan = 2,
}

/// <summary>What an edit makes of a definition: the definition to store, and what becomes of its occurrences not yet begun.</summary>
/// <param name="Updated">The definition to store (a changed copy of the one read).</param>
/// <param name="TakeBack">What becomes of the occurrences not yet begun.</param>
public sealed record DefinitionEdit(TaskDefinition Updated, TakeBack TakeBack);

/// <summary>Request of <see cref="ITaskStore.ChangeDefinitionAsync"/>.</summary>
public sealed record DefinitionChangeRequest
{
    /// <summary>The definition's id.</summary>
    public required Guid Id { get; init; }

    /// <summary>The app's current time (UTC), written as <see cref="TaskDefinition.ChangedAt"/>.</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>Pure function from the stored definition (a copy) to the edit, or <see langword="null"/> when it leaves the definition as it is;
    /// it may throw <see cref="Definitions.TaskValidationException"/>, and may be called again if the store retries the transaction.</summary>
    public required Func<TaskDefinition, DefinitionEdit?> Edit { get; init; }
}

/// <summary>Request of <see cref="ITaskStore.ChangeCalendarAsync"/>.</summary>
public sealed record CalendarChangeRequest
{
    /// <summary>The calendar's name.</summary>
    public required string Name { get; init; }

    /// <summary>What the calendar excludes from now on; <see langword="null"/> deletes it.</summary>
    public Triggers.Calendars.CalendarSpec? Spec { get; init; }

    /// <summary>The app's current time (UTC): the calendar's change time, and the edited definitions'.</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>Pure function from a definition that names the calendar (a copy) and the calendar after the change (<see langword="null"/>
    /// when deleted) to its edit, or <see langword="null"/> to leave it; it may throw <see cref="Definitions.TaskValidationException"/> to refuse
    /// the whole change, and may be called again if the store retries the transaction.</summary>
    public required Func<TaskDefinition, Calendars.TaskCalendar?, DefinitionEdit?> Edit { get; init; }
}

/// <summary>Result of <see cref="ITaskStore.ChangeCalendarAsync"/>.</summary>
/// <param name="Calendar">The calendar after the call; <see langword="null"/> when deleted or absent.</param>
/// <param name="Changed">Whether anything was written.</param>
/// <param name="EditedDefinitions">The ids of the definitions edited.</param>
public sealed record CalendarChangeResult(Calendars.TaskCalendar? Calendar, bool Changed, IReadOnlyList<Guid> EditedDefinitions);

/// <summary>Result of <see cref="ITaskStore.ChangeDefinitionAsync"/>.</summary>
/// <param name="Definition">The definition after the call; <see langword="null"/> when none has the id.</param>
/// <param name="Changed">Whether it was changed.</param>
public sealed record DefinitionChangeResult(TaskDefinition? Definition, bool Changed);

/// <summary>Request of <see cref="ITaskStore.ListDefinitionsAsync"/>.</summary>
public sealed record DefinitionQuery
{
    /// <summary>Only definitions in this state; <see langword="null"/> for all.</summary>
    public TaskState? State { get; init; }

    /// <summary>Only definitions whose metadata has this key (and, with <see cref="MetadataValue"/>, that value).</summary>
    public string? MetadataKey { get; init; }

    /// <summary>With <see cref="MetadataKey"/>: the value the entry must have.</summary>
    public string? MetadataValue { get; init; }

    /// <summary>How many definitions of the ordered, filtered list to pass over.</summary>
    public int Skip { get; init; }

    /// <summary>At most this many definitions are returned.</summary>
    public required int Take { get; init; }
}

/// <summary>Request of <see cref="ITaskStore.ListInstancesAsync"/>.</summary>
public sealed record InstanceQuery
{
    /// <summary>The definition's id.</summary>
    public required Guid DefinitionId { get; init; }

    /// <summary>Only instances in this status; <see langword="null"/> for all.</summary>
    public TaskInstanceState? Status { get; init; }

    /// <summary>How many instances of the ordered, filtered list to pass over.</summary>
    public int Skip { get; init; }

    /// <summary>At most this many instances are returned.</summary>
    public required int Take { get; init; }
}

/// <summary>An instance that is not final, as the overlap policy sees it.</summary>
/// <param name="DefinitionId">Its definition.</param>
/// <param name="InstanceId">The instance.</param>
/// <param name="FireTime">Its fire time.</param>
/// <param name="Begun">Whether an attempt of it was handed out (<see cref="TaskInstance.HasBegun"/>): it runs, or waits for a retry.</param>
public sealed record OpenOccurrence(Guid DefinitionId, Guid InstanceId, DateTimeOffset FireTime, bool Begun);

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
