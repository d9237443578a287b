using Scheduler.Contracts;

namespace Scheduler.Core.Definitions;

/// <summary>
/// A scheduled task as stored: what fires (trigger, zone, anchor), what is carried (metadata, payload), how runs are supervised
/// (ExpireAfter, retry policy) and where the scheduler loop stands (<see cref="NextFireTime"/>). All instants are UTC.
/// </summary>
public sealed class TaskDefinition
{
    /// <summary>The task's id.</summary>
    public required Guid Id { get; init; }

    /// <summary>How <see cref="Trigger"/> is read (never <see cref="TriggerKind.Detect"/> once stored).</summary>
    public required TriggerKind TriggerKind { get; init; }

    /// <summary>The normalized trigger expression: an instant, a cron expression or DTSTART and RRULE lines. An English phrase is stored
    /// as the cron or RRULE it normalized to when the task was scheduled (<see cref="TriggerKind"/> is then Cron or RRule), so a later
    /// change of the grammar never moves a stored task's fire times.</summary>
    public required string Trigger { get; init; }

    /// <summary>The English phrase the task was scheduled with (recurring or one-shot), in canonical form (lower case, single spaces), kept
    /// for display and to recognise a repeated command; <see langword="null"/> for other triggers. Fire times come from <see cref="Trigger"/>.</summary>
    public string? TriggerPhrase { get; init; }

    /// <summary>The IANA time zone id the trigger is evaluated in.</summary>
    public required string TimeZoneId { get; init; }

    /// <summary>The task's start (UTC): no fire time before it, and the anchor of relative triggers.</summary>
    public required DateTimeOffset StartAt { get; init; }

    /// <summary>Metadata copied into every <see cref="TaskDue"/>.</summary>
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }

    /// <summary>Payload copied into every <see cref="TaskDue"/>.</summary>
    public string? Payload { get; init; }

    /// <summary>How long one dispatched attempt may run before it is dispatched again.</summary>
    public required TimeSpan ExpireAfter { get; init; }

    /// <summary>The retry policy of the task's instances.</summary>
    public required RetryPolicy Retry { get; init; }

    /// <summary>What happens to fire times missed while no node ran.</summary>
    public MisfirePolicy Misfire { get; init; }

    /// <summary>What happens to an occurrence that comes due while an earlier one is still active (recurring tasks only).</summary>
    public OverlapPolicy Overlap { get; init; }

    /// <summary>The name of the calendar whose excluded times the task skips (<see cref="ScheduleTask.Calendar"/>); <see langword="null"/> for none.</summary>
    public string? Calendar { get; init; }

    /// <summary>The last instant a fire time may be (inclusive, UTC): <see cref="ScheduleTask.EndAt"/> or a phrase's end; <see langword="null"/> for none.</summary>
    public DateTimeOffset? EndAt { get; init; }

    /// <summary>The most occurrences, counted from <see cref="StartAt"/> (<see cref="ScheduleTask.MaxOccurrences"/>); <see langword="null"/> for no limit.</summary>
    public int? MaxOccurrences { get; init; }

    /// <summary>The fire time of the <see cref="MaxOccurrences"/>-th occurrence, found when the task was stored or changed
    /// (<see cref="TaskEnd.Of"/>); <see langword="null"/> without a limit or when the trigger ends first.</summary>
    public DateTimeOffset? LastFireTime { get; set; }

    /// <summary>The task's end conditions.</summary>
    public TaskEnd End => new(EndAt, MaxOccurrences, LastFireTime);

    /// <summary>The jitter window (<see cref="ScheduleTask.Jitter"/>): each occurrence is due at its fire time plus
    /// <see cref="Runtime.OccurrenceJitter.Delay"/>; <see langword="null"/> for none.</summary>
    public TimeSpan? Jitter { get; init; }

    /// <summary>Queue that <see cref="TaskDue"/> is sent to; <see langword="null"/> to publish it.</summary>
    public string? DestinationQueue { get; init; }

    /// <summary>The W3C traceparent (<c>00-{trace id}-{span id}-{flags}</c>) of the span that stored the task (<c>scheduler.schedule</c>, a child
    /// of the ScheduleTask command's trace), or <see langword="null"/> when it was stored outside any trace. The task's dispatches continue or
    /// link to that trace (<see cref="Runtime.SchedulerTracing"/>).</summary>
    public string? TraceParent { get; set; }

    /// <summary>The client's idempotency key, unique among definitions when set.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>When the definition was stored (UTC).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The next fire time not yet materialized as a task instance (UTC), the scheduler loop's planning cursor; <see langword="null"/> once
    /// the trigger is exhausted or the task cancelled. It runs up to the execution window ahead of what fires next: operators' views show
    /// <see cref="TaskViews.NextFireTime"/> instead (the earliest fire time that will still fire).</summary>
    public DateTimeOffset? NextFireTime { get; set; }

    /// <summary>When the task was cancelled (UTC), if it was.</summary>
    public DateTimeOffset? CancelledAt { get; set; }

    /// <summary>When the task was paused (UTC), while it is: the scheduler loop plans no occurrence of a paused task.</summary>
    public DateTimeOffset? PausedAt { get; set; }

    /// <summary>When the task was last cancelled, paused, resumed or updated (UTC): runners check their claims on its instances against the
    /// store when they see it move (<see cref="Storage.IRunnerStore.GetDefinitionsChangedSinceAsync"/>).</summary>
    public DateTimeOffset? ChangedAt { get; set; }

    /// <summary>Where the task stands, from <see cref="CancelledAt"/>, <see cref="PausedAt"/> and <see cref="NextFireTime"/> (none: the trigger
    /// ended, or the task reached its <see cref="End"/>).</summary>
    public TaskState State => CancelledAt is not null ? TaskState.Cancelled
        : PausedAt is not null ? TaskState.Paused
        : NextFireTime is null ? TaskState.Finished
        : TaskState.Active;

    /// <summary>Optimistic concurrency token, incremented by every update.</summary>
    public long Version { get; set; }

    /// <summary>The overlap policy the runner applies to this task's occurrences: <see cref="Overlap"/> for a recurring task,
    /// <see cref="OverlapPolicy.AllowAll"/> for a one-off task (it fires once; an extra run of it by TriggerTaskNow is not held back).</summary>
    public OverlapPolicy AppliedOverlap => TriggerKind == TriggerKind.Once ? OverlapPolicy.AllowAll : Overlap;

    /// <summary>A copy whose mutable state can be changed without affecting this instance.</summary>
    public TaskDefinition Clone() => (TaskDefinition)MemberwiseClone();
}
