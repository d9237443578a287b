namespace Scheduler.Core.Storage;

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

    /// <summary>The worker that reported it (<c>host/process id</c>), if its report named one: kept in the attempt history.</summary>
    public string? Worker { get; init; }
}
