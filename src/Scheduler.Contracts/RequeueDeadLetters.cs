namespace Scheduler.Contracts;

/// <summary>
/// Command: requeue dead letters. Each named task instance that is Failed (dead-lettered: its last allowed attempt failed or expired, or its
/// dispatch was refused for good) becomes Scheduled, due now, with one more attempt; if that attempt fails too, it is a dead letter again.
/// Instances that are missing or not Failed are left alone, so the command is idempotent. Answered with <see cref="DeadLettersRequeued"/>, or
/// <see cref="TaskRejected"/> when no id or more than 1,000 are given.
/// </summary>
public sealed record RequeueDeadLetters
{
    /// <summary>The task instances to requeue (<see cref="TaskInstanceInfo.InstanceId"/> of dead letters); 1 to 1,000.</summary>
    public required IReadOnlyList<Guid> InstanceIds { get; init; }
}
