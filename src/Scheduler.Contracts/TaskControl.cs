namespace Scheduler.Contracts;

/// <summary>
/// Command: stop a task from firing until <see cref="ResumeTask"/>. Occurrences not yet dispatched are taken back (they are planned again on
/// resume, subject to the task's <see cref="MisfirePolicy"/>); an attempt already dispatched runs on, and a failed one is still retried.
/// Answered with <see cref="TaskChanged"/>, <see cref="TaskNotFound"/> or <see cref="TaskRejected"/> (the task is cancelled).
/// </summary>
/// <remarks>Idempotent: pausing a paused task changes nothing and is answered with <see cref="TaskChanged.Changed"/> <see langword="false"/>.
/// Scheduler nodes other than the one that takes the command learn of it at their next poll (default 1 s); an occurrence one of them
/// holds and that is due within that time may still be dispatched.</remarks>
public sealed record PauseTask
{
    /// <summary>The task to pause.</summary>
    public required Guid TaskId { get; init; }
}

/// <summary>
/// Command: let a paused task fire again. Fire times that passed while it was paused are handled by the task's <see cref="MisfirePolicy"/>
/// as if no node had run (FireOnce: one run now; FireAll: every one; Skip: none), when they are older than the node's misfire threshold
/// (default 1 minute); younger ones fire late. Answered with <see cref="TaskChanged"/>, <see cref="TaskNotFound"/> or <see cref="TaskRejected"/>.
/// </summary>
/// <remarks>Idempotent: resuming a task that is not paused changes nothing (<see cref="TaskChanged.Changed"/> <see langword="false"/>).</remarks>
public sealed record ResumeTask
{
    /// <summary>The task to resume.</summary>
    public required Guid TaskId { get; init; }
}

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

/// <summary>
/// Command: run a task once now, as one extra task instance beside its schedule (counted, retried and reported like any other; subject to
/// the task's <see cref="OverlapPolicy"/> if it is recurring). Works on paused tasks too, not on cancelled ones. Answered with
/// <see cref="TaskChanged"/> (whose <see cref="TaskChanged.InstanceId"/> is the new instance), <see cref="TaskNotFound"/> or <see cref="TaskRejected"/>.
/// </summary>
public sealed record TriggerTaskNow
{
    /// <summary>The task to run.</summary>
    public required Guid TaskId { get; init; }

    /// <summary>The id of the new task instance, which makes the command idempotent: a second command with the same id creates nothing.
    /// <value>Default: the command's message id, so a redelivered message creates one instance.</value></summary>
    public Guid? InstanceId { get; init; }
}

/// <summary>Reply to <see cref="PauseTask"/>, <see cref="ResumeTask"/>, <see cref="UpdateTask"/> and <see cref="TriggerTaskNow"/>: the task as it is now.</summary>
public sealed record TaskChanged
{
    /// <summary>The task's id.</summary>
    public required Guid TaskId { get; init; }

    /// <summary><see langword="false"/> when the command changed nothing (already paused, not paused, same content, instance already created).</summary>
    public required bool Changed { get; init; }

    /// <summary>The task after the command.</summary>
    public required TaskInfo Task { get; init; }

    /// <summary>The instance created by <see cref="TriggerTaskNow"/>; <see langword="null"/> for the other commands.</summary>
    public Guid? InstanceId { get; init; }

    /// <summary>For an <see cref="UpdateTask"/> with a new English <see cref="UpdateTask.Trigger"/>: how its words that people read in more
    /// than one way were read (as <see cref="TaskScheduled.Readings"/>); <see langword="null"/> when there is none.</summary>
    public IReadOnlyList<string>? Readings { get; init; }
}

/// <summary>Reply to a task command or query naming a task that does not exist (never scheduled, or deleted by retention after it finished).</summary>
public sealed record TaskNotFound
{
    /// <summary>The id named in the request.</summary>
    public required Guid TaskId { get; init; }
}

/// <summary>Query: one task. Answered with <see cref="TaskInfo"/> or <see cref="TaskNotFound"/>.</summary>
public sealed record GetTask
{
    /// <summary>The task's id.</summary>
    public required Guid TaskId { get; init; }
}

/// <summary>Query: a page of tasks, oldest first, optionally filtered. Answered with <see cref="TaskList"/>, or <see cref="TaskRejected"/>
/// when a filter is invalid.</summary>
public sealed record ListTasks
{
    /// <summary>Only tasks in this state. <value>Default: every state.</value></summary>
    public TaskState? State { get; init; }

    /// <summary>Only tasks whose metadata has this key (with <see cref="MetadataValue"/>, this entry). <value>Default: no filter.</value></summary>
    public string? MetadataKey { get; init; }

    /// <summary>With <see cref="MetadataKey"/>: only tasks whose entry for that key has this value.</summary>
    public string? MetadataValue { get; init; }

    /// <summary>Most tasks per page. <value>Default 100; 1 to 1,000.</value></summary>
    public int PageSize { get; init; } = 100;

    /// <summary>The <see cref="TaskList.NextPageToken"/> of the previous page. <value>Default: the first page.</value></summary>
    public string? PageToken { get; init; }
}

/// <summary>Reply to <see cref="ListTasks"/>.</summary>
public sealed record TaskList
{
    /// <summary>The tasks of this page.</summary>
    public required IReadOnlyList<TaskInfo> Tasks { get; init; }

    /// <summary>Pass as <see cref="ListTasks.PageToken"/> for the next page; <see langword="null"/> on the last page.</summary>
    public string? NextPageToken { get; init; }
}

/// <summary>Query: a page of a task's instances, latest fire time first, with their attempts, states, times and last error. Answered with
/// <see cref="TaskInstanceList"/>, <see cref="TaskNotFound"/>, or <see cref="TaskRejected"/> when a filter is invalid.</summary>
public sealed record GetTaskInstances
{
    /// <summary>The task's id.</summary>
    public required Guid TaskId { get; init; }

    /// <summary>Only instances in this state. <value>Default: every state.</value></summary>
    public TaskInstanceState? State { get; init; }

    /// <summary>Most instances per page. <value>Default 100; 1 to 1,000.</value></summary>
    public int PageSize { get; init; } = 100;

    /// <summary>The <see cref="TaskInstanceList.NextPageToken"/> of the previous page. <value>Default: the first page.</value></summary>
    public string? PageToken { get; init; }
}

/// <summary>Reply to <see cref="GetTaskInstances"/>.</summary>
public sealed record TaskInstanceList
{
    /// <summary>The task's id.</summary>
    public required Guid TaskId { get; init; }

    /// <summary>The instances of this page, latest fire time first. Finished instances are kept for the node's retention (default 1 day).</summary>
    public required IReadOnlyList<TaskInstanceInfo> Instances { get; init; }

    /// <summary>Pass as <see cref="GetTaskInstances.PageToken"/> for the next page; <see langword="null"/> on the last page.</summary>
    public string? NextPageToken { get; init; }
}

/// <summary>Where a task stands.</summary>
public enum TaskState
{
    /// <summary>The task fires per its trigger.</summary>
    Active = 0,

    /// <summary>Paused by <see cref="PauseTask"/>: it fires nothing until <see cref="ResumeTask"/>.</summary>
    Paused = 1,

    /// <summary>Cancelled by <see cref="CancelTask"/>. Final.</summary>
    Cancelled = 2,

    /// <summary>The trigger fires no more: a one-off task that fired, a recurring one whose trigger ended or that reached its
    /// <see cref="ScheduleTask.EndAt"/> or <see cref="ScheduleTask.MaxOccurrences"/>. Its last instances may still run.</summary>
    Finished = 3,
}

/// <summary>Where a task instance stands (the lifecycle's states; docs/guarantees.md has the table).</summary>
public enum TaskInstanceState
{
    /// <summary>Waiting to be dispatched at its due time (the first attempt, or a retry).</summary>
    Scheduled = 0,

    /// <summary>An attempt was dispatched and has no outcome yet.</summary>
    Dispatched = 1,

    /// <summary>An attempt completed. Final.</summary>
    Completed = 2,

    /// <summary>The last allowed attempt failed or expired (dead-lettered). Final.</summary>
    Failed = 3,

    /// <summary>The task was cancelled before this instance was dispatched, or while it waited for a retry. Final.</summary>
    Cancelled = 4,

    /// <summary>A scheduler node holds it and dispatches it at its due time.</summary>
    Claimed = 5,

    /// <summary>Not run because an earlier occurrence was still active (<see cref="OverlapPolicy"/>). Final.</summary>
    Skipped = 6,
}

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

    /// <summary>The next fire time not yet planned as an instance (UTC instant); <see langword="null"/> when the task fires no more.
    /// While paused, the earliest fire time that resuming will consider.</summary>
    public DateTimeOffset? NextFireTime { get; init; }

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

/// <summary>A task instance and its attempts. Element of <see cref="TaskInstanceList"/>.</summary>
public sealed record TaskInstanceInfo
{
    /// <summary>The instance's id (<see cref="TaskDue.InstanceId"/>).</summary>
    public required Guid InstanceId { get; init; }

    /// <summary>The occurrence's fire time (UTC instant).</summary>
    public required DateTimeOffset FireTime { get; init; }

    /// <summary>The delay its task's jitter drew for it: its first attempt was due at <see cref="FireTime"/> plus this.
    /// <see cref="TimeSpan.Zero"/> without jitter.</summary>
    public TimeSpan Jitter { get; init; }

    /// <summary>Where it stands.</summary>
    public required TaskInstanceState State { get; init; }

    /// <summary>The number of the latest attempt (0 before the first dispatch).</summary>
    public required int Attempt { get; init; }

    /// <summary>The attempts its retry policy allows.</summary>
    public required int MaxAttempts { get; init; }

    /// <summary>When the scheduler acts on it next (UTC instant): the dispatch time while Scheduled or Claimed, the expiry of the running
    /// attempt while Dispatched; <see langword="null"/> once final.</summary>
    public DateTimeOffset? DueAt { get; init; }

    /// <summary>When the latest attempt was dispatched.</summary>
    public DateTimeOffset? DispatchedAt { get; init; }

    /// <summary>When a worker started the latest reported attempt.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When its completion was recorded.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>When it failed for good (dead-lettered).</summary>
    public DateTimeOffset? FailedAt { get; init; }

    /// <summary>When it reached a final state.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>The latest failure's reason (or why it was skipped).</summary>
    public string? LastError { get; init; }
}
