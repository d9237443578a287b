namespace Scheduler.Contracts;

/// <summary>
/// Command: change a task. Only the properties given change; the others keep their stored values. Answered with <see cref="TaskChanged"/>,
/// <see cref="TaskNotFound"/>, or <see cref="TaskRejected"/> when a value is invalid (nothing is changed then).
/// </summary>
/// <remarks>
/// <para>An attempt already dispatched finishes under the old definition (its ExpireAfter and retry policy were copied when it was planned).
/// When the trigger, time zone, start, ExpireAfter, retry policy or jitter changes, occurrences not yet dispatched are taken back and planned again:
/// from the new trigger's first fire time at or after the update (or <see cref="StartAt"/>) when the trigger, zone or start changes, else
/// from the same fire times. Metadata, payload, misfire and overlap policy apply from the next dispatch on.</para>
/// <para>Idempotent: an update that changes nothing is answered with <see cref="TaskChanged.Changed"/> <see langword="false"/>.</para>
/// </remarks>
public sealed record UpdateTask
{
    /// <summary>The task to change.</summary>
    public required Guid TaskId { get; init; }

    /// <summary>The new trigger, read according to <see cref="TriggerKind"/> (as in <see cref="ScheduleTask.Trigger"/>). <value>Default: unchanged.</value></summary>
    public string? Trigger { get; init; }

    /// <summary>How <see cref="Trigger"/> is read. <value>Default <see cref="Contracts.TriggerKind.Detect"/>.</value></summary>
    public TriggerKind TriggerKind { get; init; }

    /// <summary>The new IANA time zone id. <value>Default: unchanged.</value></summary>
    public string? TimeZone { get; init; }

    /// <summary>The new start (and anchor of relative triggers). <value>Default: the time of the update when the trigger or zone changes,
    /// else unchanged.</value></summary>
    public DateTimeOffset? StartAt { get; init; }

    /// <summary>The new metadata, replacing the old entries. <value>Default: unchanged.</value></summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>The new payload. <value>Default: unchanged.</value></summary>
    public string? Payload { get; init; }

    /// <summary>The new ExpireAfter. <value>Default: unchanged.</value></summary>
    public TimeSpan? ExpireAfter { get; init; }

    /// <summary>The new retry policy. <value>Default: unchanged.</value></summary>
    public RetryPolicy? Retry { get; init; }

    /// <summary>The new misfire policy. <value>Default: unchanged.</value></summary>
    public MisfirePolicy? Misfire { get; init; }

    /// <summary>The new calendar (<see cref="ScheduleTask.Calendar"/>); an empty string removes it. Occurrences not yet dispatched are
    /// planned again with it. <value>Default: unchanged.</value></summary>
    public string? Calendar { get; init; }

    /// <summary>The new end (<see cref="ScheduleTask.EndAt"/>); <see cref="DateTimeOffset.MaxValue"/> removes it. A finished task given a later end
    /// continues from its first fire time at or after the update; occurrences not yet dispatched past an earlier end are taken back.
    /// <value>Default: unchanged.</value></summary>
    public DateTimeOffset? EndAt { get; init; }

    /// <summary>The new most occurrences (<see cref="ScheduleTask.MaxOccurrences"/>), still counted from the task's start; 0 removes the limit.
    /// <value>Default: unchanged.</value></summary>
    public int? MaxOccurrences { get; init; }

    /// <summary>The new jitter window (<see cref="ScheduleTask.Jitter"/>); <see cref="TimeSpan.Zero"/> removes it. Occurrences not yet
    /// dispatched are planned again with it. <value>Default: unchanged.</value></summary>
    public TimeSpan? Jitter { get; init; }

    /// <summary>The new overlap policy. <value>Default: unchanged.</value></summary>
    public OverlapPolicy? Overlap { get; init; }
}
