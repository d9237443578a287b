namespace Scheduler.Contracts;

/// <summary>
/// Event: a task instance is due. Sent at its due time, never before it, to the task's <see cref="ScheduleTask.DestinationQueue"/> (or published
/// to every subscriber when the task was scheduled with <see cref="ScheduleTask.Broadcast"/>).
/// Implement <c>IConsumer&lt;TaskDue&gt;</c> to run it.
/// </summary>
/// <remarks>
/// Delivery is at-least-once: the same (<see cref="InstanceId"/>, <see cref="Attempt"/>) can arrive twice after a crash,
/// and a later attempt can arrive while an earlier one still runs (after <see cref="ExpiresAt"/>, unless the worker sends
/// <see cref="TaskHeartbeat"/>s, which <c>AddTaskReporting</c> does while the handler runs). Make handlers idempotent: the message id of a
/// <c>TaskDue</c> is the same for every copy of one (<see cref="InstanceId"/>, <see cref="Attempt"/>), so an inbox that deduplicates by
/// message id drops a repeated copy.
/// </remarks>
public sealed record TaskDue
{
    /// <summary>The task definition's id.</summary>
    public required Guid TaskId { get; init; }

    /// <summary>The task instance's id: one per occurrence of the trigger, the same across attempts.</summary>
    public required Guid InstanceId { get; init; }

    /// <summary>The attempt number, 1 for the first dispatch.</summary>
    public required int Attempt { get; init; }

    /// <summary>The number of attempts the retry policy allows in all.</summary>
    public required int MaxAttempts { get; init; }

    /// <summary>The occurrence's fire time per the trigger (UTC instant).</summary>
    public required DateTimeOffset FireTime { get; init; }

    /// <summary>When this attempt was due (UTC instant): <see cref="FireTime"/> for the first attempt, the retry time for later ones.
    /// Lateness is the time of receipt minus this.</summary>
    public required DateTimeOffset DueAt { get; init; }

    /// <summary>
    /// The latest time a handler may start this attempt (UTC instant): its dispatch time plus the node's queue timeout
    /// (<c>Scheduler:QueueTimeout</c>), which is also the message's time to live in the queue. A delivery received later is stale — the
    /// scheduler may have dispatched the next attempt meanwhile — and <c>AddTaskReporting</c> acknowledges it without running the handler.
    /// <see langword="null"/> from a scheduler older than this field.
    /// </summary>
    public DateTimeOffset? StartBy { get; init; }

    /// <summary>When this attempt counts as lost and is dispatched again unless completed (UTC instant), if no start is reported:
    /// <see cref="StartBy"/> plus <see cref="ExpireAfter"/>. Once a worker reports the start (<see cref="TaskStarted"/>, which
    /// <c>AddTaskReporting</c> sends), the attempt expires <see cref="ExpireAfter"/> after it instead, and each <see cref="TaskHeartbeat"/> moves
    /// that forward to the heartbeat's recording time plus <see cref="ExpireAfter"/>.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The task's ExpireAfter: how long an attempt may run, from its start, without an outcome or a heartbeat before it is dispatched again.
    /// <see cref="TimeSpan.Zero"/> when sent by a scheduler older than heartbeats.</summary>
    public TimeSpan ExpireAfter { get; init; }

    /// <summary>The task's metadata as given in <see cref="ScheduleTask.Metadata"/>.</summary>
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }

    /// <summary>The task's payload as given in <see cref="ScheduleTask.Payload"/>.</summary>
    public string? Payload { get; init; }
}
