namespace Scheduler.Contracts;

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
