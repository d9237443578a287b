namespace Scheduler.Contracts;

/// <summary>Reply to <see cref="ScheduleTask"/>: the task definition is stored.</summary>
public sealed record TaskScheduled
{
    /// <summary>The id of the task definition.</summary>
    public required Guid TaskId { get; init; }

    /// <summary>The first fire time (UTC instant), or <see langword="null"/> when the task will never fire again.</summary>
    public DateTimeOffset? NextFireTime { get; init; }

    /// <summary>The command's idempotency key, if it had one.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>The task's end (<see cref="ScheduleTask.EndAt"/>, or what its phrase said: <c>until …</c>, <c>for 3 weeks</c>), if any.</summary>
    public DateTimeOffset? EndAt { get; init; }

    /// <summary>The task's most occurrences (<see cref="ScheduleTask.MaxOccurrences"/>, or its phrase's <c>N times</c>), if any.</summary>
    public int? MaxOccurrences { get; init; }

    /// <summary>The fire time of the task's last occurrence under <see cref="MaxOccurrences"/> (UTC instant); <see langword="null"/> without a
    /// limit, or when the trigger ends (or <see cref="EndAt"/> comes) first.</summary>
    public DateTimeOffset? LastFireTime { get; init; }

    /// <summary>The calendar whose excluded times the task skips (<see cref="ScheduleTask.Calendar"/>, or what its phrase said:
    /// <c>except holidays</c>), if any. <see cref="NextFireTime"/> is the trigger's, which the calendar may exclude (that occurrence is then
    /// recorded as skipped).</summary>
    public string? Calendar { get; init; }

    /// <summary><see langword="true"/> when the command repeated an earlier one (same task id or idempotency key, same content) and nothing new was
    /// stored. A command that reuses the id or key with other content is answered with <see cref="TaskRejected"/> instead.</summary>
    public bool AlreadyScheduled { get; init; }

    /// <summary>How words of an English <see cref="ScheduleTask.Trigger"/> that people read in more than one way were read, one sentence each,
    /// e.g. "'next friday' is read as Friday 2025-01-03, the first Friday after 2025-01-01 (the start), not Friday 2025-01-10 of the week
    /// after: write '2025-01-10' for that one." (docs/triggers.md, "Words read one way"). <see langword="null"/> when there is none.</summary>
    public IReadOnlyList<string>? Readings { get; init; }
}

/// <summary>Reply to <see cref="ScheduleTask"/>: the command was invalid and nothing was stored.</summary>
public sealed record TaskRejected
{
    /// <summary>The task id named in the command, if any.</summary>
    public Guid? TaskId { get; init; }

    /// <summary>The command's idempotency key, if it had one.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>What was wrong, naming the offending value and the fix.</summary>
    public required string Reason { get; init; }
}

/// <summary>
/// Command: stop a task definition from firing again. Its task instances not yet dispatched are cancelled; an attempt already running may
/// finish and its outcome is recorded, but is never followed by another attempt (no retry after a failure, no new dispatch after
/// ExpireAfter): the runner cancels such an instance when it comes due. Scheduler nodes other than the one that takes the command learn of it
/// at their next poll (default 1 s): an instance one of them holds and that is due within that time may still be dispatched. Send it to
/// <see cref="SchedulerEndpoints.CancelTask"/> of the task's cluster (nodes of the default cluster also take it published).
/// </summary>
public sealed record CancelTask
{
    /// <summary>The id of the task definition to cancel.</summary>
    public required Guid TaskId { get; init; }
}

/// <summary>Reply to <see cref="CancelTask"/>.</summary>
public sealed record TaskCancelled
{
    /// <summary>The id of the task definition.</summary>
    public required Guid TaskId { get; init; }

    /// <summary><see langword="false"/> when no such task definition exists (or it had finished already).</summary>
    public required bool Found { get; init; }
}
