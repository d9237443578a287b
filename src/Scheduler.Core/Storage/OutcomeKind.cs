namespace Scheduler.Core.Storage;

/// <summary>What the task instance saga decided about a worker's report; the store applies it with <see cref="IOutcomeStore.ApplyOutcomesAsync"/>.</summary>
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
