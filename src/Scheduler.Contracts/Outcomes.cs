namespace Scheduler.Contracts;

/// <summary>
/// Event: a worker started handling an attempt. The scheduler records the start and from then counts the attempt's ExpireAfter from it (the
/// time the <see cref="TaskDue"/> waited in its queue does not count). <c>AddTaskReporting</c> sends it once a handler has run for a tenth of
/// ExpireAfter (at most a second): a handler that finishes sooner reports only its outcome, which carries its start time.
/// </summary>
public sealed record TaskStarted
{
    /// <summary>The task definition's id.</summary>
    public required Guid TaskId { get; init; }

    /// <summary>The task instance's id.</summary>
    public required Guid InstanceId { get; init; }

    /// <summary>The attempt that started.</summary>
    public required int Attempt { get; init; }

    /// <summary>When the handler was called (UTC instant, worker's clock).</summary>
    public required DateTimeOffset StartedAt { get; init; }
}

/// <summary>
/// Event: a worker's handler is still running an attempt. The scheduler moves the attempt's expiry forward (never back) to the time it
/// records this plus the task's ExpireAfter, so a handler that legitimately runs longer than ExpireAfter is not dispatched again while it
/// heartbeats; a first heartbeat also records the start, like <see cref="TaskStarted"/>. A heartbeat of an attempt that is no longer the
/// current one changes nothing. <c>AddTaskReporting</c> sends one every ExpireAfter / 3 while the handler runs, and at most one every
/// ExpireAfter / 10 however often the handler calls <c>context.ReportHeartbeatAsync()</c>.
/// </summary>
public sealed record TaskHeartbeat
{
    /// <summary>The task definition's id.</summary>
    public required Guid TaskId { get; init; }

    /// <summary>The task instance's id.</summary>
    public required Guid InstanceId { get; init; }

    /// <summary>The attempt that is still running.</summary>
    public required int Attempt { get; init; }

    /// <summary>When the worker sent it (UTC instant, worker's clock; for the record only: the expiry moves by the scheduler's clock).</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>When the handler was called (UTC instant, worker's clock): recorded as the attempt's start if its <see cref="TaskStarted"/> was
    /// lost. <see langword="null"/> from a worker older than this field.</summary>
    public DateTimeOffset? StartedAt { get; init; }
}

/// <summary>Event: a worker's handler returned without an exception. The scheduler records the instance completed: <c>completed_at</c> is when it
/// recorded that (its clock), and <see cref="CompletedAt"/> is kept beside it as <c>reported_completed_at</c>.</summary>
public sealed record TaskCompleted
{
    /// <summary>The task definition's id.</summary>
    public required Guid TaskId { get; init; }

    /// <summary>The task instance's id.</summary>
    public required Guid InstanceId { get; init; }

    /// <summary>The attempt that completed.</summary>
    public required int Attempt { get; init; }

    /// <summary>When the handler was called (UTC instant, worker's clock).</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>When the handler returned (UTC instant, worker's clock).</summary>
    public required DateTimeOffset CompletedAt { get; init; }
}

/// <summary>
/// Event: a worker's handler threw. The scheduler retries per the task's <see cref="RetryPolicy"/> or, after the last attempt,
/// marks the instance failed and publishes <see cref="TaskDeadLettered"/>.
/// </summary>
/// <remarks>
/// Scheduler reports failures with this explicit event rather than MassTransit's <c>Fault&lt;TaskDue&gt;</c>: it is small (no copy of the
/// payload), it is published once per attempt whatever retry middleware the worker's endpoint has, and the retry decision stays with the scheduler.
/// MassTransit still publishes its own <c>Fault&lt;TaskDue&gt;</c> for a failed handler (unless the endpoint turns fault publishing off);
/// Scheduler neither needs nor consumes it.
/// </remarks>
public sealed record TaskFailed
{
    /// <summary>The task definition's id.</summary>
    public required Guid TaskId { get; init; }

    /// <summary>The task instance's id.</summary>
    public required Guid InstanceId { get; init; }

    /// <summary>The attempt that failed.</summary>
    public required int Attempt { get; init; }

    /// <summary>When the handler was called (UTC instant, worker's clock).</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>When the handler threw (UTC instant, worker's clock).</summary>
    public required DateTimeOffset FailedAt { get; init; }

    /// <summary>The exception's full type name.</summary>
    public required string ExceptionType { get; init; }

    /// <summary>The exception's message.</summary>
    public required string Reason { get; init; }
}

/// <summary>Event: a task instance failed for good (its last attempt failed or expired); nothing will dispatch it again.</summary>
public sealed record TaskDeadLettered
{
    /// <summary>The task definition's id.</summary>
    public required Guid TaskId { get; init; }

    /// <summary>The task instance's id.</summary>
    public required Guid InstanceId { get; init; }

    /// <summary>The last attempt's number.</summary>
    public required int Attempt { get; init; }

    /// <summary>The occurrence's fire time (UTC instant).</summary>
    public required DateTimeOffset FireTime { get; init; }

    /// <summary>Why the last attempt failed.</summary>
    public required string Reason { get; init; }

    /// <summary>When the instance was marked failed (UTC instant, scheduler's clock).</summary>
    public required DateTimeOffset FailedAt { get; init; }
}
