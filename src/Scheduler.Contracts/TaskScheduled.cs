namespace Scheduler.Contracts;

/// <summary>Reply to <see cref="ScheduleTask"/>: the task definition is stored.</summary>
public sealed record TaskScheduled
{
    /// <summary>The id of the task definition.</summary>
    public required Guid TaskId { get; init; }

    /// <summary>The task's next fire time (UTC instant): its first for a new task; for one already scheduled, the earliest that will still
    /// fire (<see cref="TaskInfo.NextFireTime"/>). <see langword="null"/> when the task will never fire again, or is paused or cancelled.</summary>
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
    /// <c>except holidays</c>), if any. <see cref="NextFireTime"/> may be a fire time the calendar excludes (that occurrence is then
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
