namespace Scheduler.Core.Storage;

/// <summary>What the task instance saga decided about a worker's report; the store applies it with <see cref="ITaskStore.ApplyOutcomesAsync"/>.</summary>
public enum OutcomeKind
{
    /// <summary>The reported attempt started: <c>started_at</c> is set and, once dispatched, the attempt expires ExpireAfter after the recording
    /// time (the time it waited in the queue no longer counts); the state stays. Fenced by the attempt (the current one, claimed or dispatched).</summary>
    Started = 0,

    /// <summary>An attempt completed: status Completed, <c>completed_at</c> = when recorded, <c>reported_completed_at</c> = the worker's time.
    /// Applies to any attempt and over a dead letter (a late success still counts); not to a completed or cancelled instance.</summary>
    Completed = 1,

    /// <summary>The current attempt failed and the policy allows another: status Scheduled, due at the backoff's end, claim cleared.
    /// Fenced by the attempt (current, claimed or dispatched).</summary>
    RetryScheduled = 2,

    /// <summary>The current attempt failed and was the last: status Failed (dead letter). Fenced like <see cref="RetryScheduled"/>.</summary>
    DeadLettered = 3,

    /// <summary>The current attempt is still running (a heartbeat): its expiry moves forward to when recorded plus ExpireAfter, never back; a
    /// first heartbeat also records the start (as <see cref="Started"/>). The state stays. Fenced like <see cref="Started"/>.</summary>
    Heartbeat = 4,
}

/// <summary>One decision of the task instance saga, applied by the store as one fenced transition.</summary>
/// <param name="InstanceId">The instance.</param>
/// <param name="Attempt">The attempt the worker reported on.</param>
/// <param name="Kind">The transition.</param>
/// <param name="RecordedAt">When the scheduler recorded it (UTC, the recording node's clock): <c>completed_at</c>, <c>failed_at</c>, <c>finished_at</c>.</param>
public sealed record InstanceOutcome(Guid InstanceId, int Attempt, OutcomeKind Kind, DateTimeOffset RecordedAt)
{
    /// <summary>When the worker's handler started (UTC, the worker's clock), if reported; for <see cref="OutcomeKind.Started"/> and
    /// <see cref="OutcomeKind.Heartbeat"/> it is recorded only if no start of the attempt was.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary><see cref="OutcomeKind.Completed"/>: when the worker's handler returned (UTC, the worker's clock).</summary>
    public DateTimeOffset? ReportedCompletedAt { get; init; }

    /// <summary><see cref="OutcomeKind.RetryScheduled"/>: when the next attempt is due (UTC).</summary>
    public DateTimeOffset? RetryAt { get; init; }

    /// <summary><see cref="OutcomeKind.RetryScheduled"/> and <see cref="OutcomeKind.DeadLettered"/>: the failure, kept as <c>last_error</c>.</summary>
    public string? Error { get; init; }
}
