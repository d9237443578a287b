namespace Scheduler.Contracts;

/// <summary>A task as stored. Reply to <see cref="GetTask"/>; element of <see cref="TaskList"/>.</summary>
public sealed record TaskInfo
{
    /// <summary>The task's id.</summary>
    public required Guid TaskId { get; init; }

    /// <summary>Where the task stands.</summary>
    public required TaskState State { get; init; }

    /// <summary>How <see cref="Trigger"/> is read: Once, Cron or RRule (an English phrase is stored as what it means).</summary>
    public required TriggerKind TriggerKind { get; init; }

    /// <summary>The stored trigger: an instant, a cron expression, or DTSTART and RRULE lines.</summary>
    public required string Trigger { get; init; }

    /// <summary>The English phrase the task was scheduled with, if it was.</summary>
    public string? TriggerPhrase { get; init; }

    /// <summary>The IANA time zone the trigger is evaluated in.</summary>
    public required string TimeZone { get; init; }

    /// <summary>The task's start (UTC instant).</summary>
    public required DateTimeOffset StartAt { get; init; }

    /// <summary>The task's next fire time (UTC instant): the earliest fire time after now that will still fire, whether the scheduler has
    /// already planned it as a task instance (not begun) or not yet. <see langword="null"/> when the task is paused or cancelled, or fires no
    /// more. A run due now (a passed fire time being dispatched, a TriggerTaskNow run) and a retry waiting for its next attempt do not count.
    /// In a list of tasks a fire time the task's calendar excludes may show (it is then skipped); <see cref="UpcomingFireTimes"/> leaves
    /// such fire times out.</summary>
    public DateTimeOffset? NextFireTime { get; init; }

    /// <summary>The task's next fire times that will fire, earliest first (UTC instants; its planned occurrences not begun, then its
    /// trigger's in its time zone, within its end, less those its calendar excludes); empty when paused or cancelled. Only in the view of
    /// one task that asks for them (the admin API's <c>GET /tasks/{id}?upcoming=5</c>); <see langword="null"/> elsewhere.</summary>
    public IReadOnlyList<DateTimeOffset>? UpcomingFireTimes { get; init; }

    /// <summary>The task's metadata.</summary>
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }

    /// <summary>The task's payload.</summary>
    public string? Payload { get; init; }

    /// <summary>How long one attempt may run without an outcome or heartbeat.</summary>
    public required TimeSpan ExpireAfter { get; init; }

    /// <summary>The retry policy.</summary>
    public required RetryPolicy Retry { get; init; }

    /// <summary>The misfire policy.</summary>
    public required MisfirePolicy Misfire { get; init; }

    /// <summary>The overlap policy.</summary>
    public required OverlapPolicy Overlap { get; init; }

    /// <summary>The jitter window (<see cref="ScheduleTask.Jitter"/>), if any.</summary>
    public TimeSpan? Jitter { get; init; }

    /// <summary>The calendar whose excluded times the task skips (<see cref="ScheduleTask.Calendar"/>), if any.</summary>
    public string? Calendar { get; init; }

    /// <summary>The task's end (<see cref="ScheduleTask.EndAt"/>), if any: no fire time after it.</summary>
    public DateTimeOffset? EndAt { get; init; }

    /// <summary>The task's most occurrences (<see cref="ScheduleTask.MaxOccurrences"/>), if any.</summary>
    public int? MaxOccurrences { get; init; }

    /// <summary>The fire time of its last occurrence under <see cref="MaxOccurrences"/>, if known (<see cref="TaskScheduled.LastFireTime"/>).</summary>
    public DateTimeOffset? LastFireTime { get; init; }

    /// <summary>The queue <see cref="TaskDue"/> is sent to; <see langword="null"/> when it is published.</summary>
    public string? DestinationQueue { get; init; }

    /// <summary>The idempotency key it was scheduled with.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>When it was scheduled (UTC instant).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it was paused (UTC instant), while it is.</summary>
    public DateTimeOffset? PausedAt { get; init; }

    /// <summary>When it was cancelled (UTC instant), if it was.</summary>
    public DateTimeOffset? CancelledAt { get; init; }
}
