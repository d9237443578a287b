namespace Scheduler.Contracts;

/// <summary>
/// Command: requeue dead letters, named by <see cref="InstanceIds"/> or selected by <see cref="Filter"/> (exactly one of the two). Each task
/// instance that is Failed (dead-lettered: its last allowed attempt failed or expired, or its dispatch was refused for good) becomes Scheduled,
/// due now, with a fresh attempt budget: as many attempts more as its retry policy's <see cref="RetryPolicy.MaxAttempts"/>, the attempt
/// number going on (a task allowed 3 attempts that dead-lettered at attempt 3 may run attempts 4 to 6); if the last fails too, it is a dead
/// letter again. Instances that are missing or not Failed are left alone and not counted, so the command is idempotent. Answered with
/// <see cref="DeadLettersRequeued"/>, or <see cref="TaskRejected"/> when both or neither are given, no id or more than 1,000, or the filter's
/// limit or time range is invalid.
/// </summary>
public sealed record RequeueDeadLetters
{
    /// <summary>The task instances to requeue (<see cref="TaskInstanceInfo.InstanceId"/> of dead letters); 1 to 1,000.
    /// <value>Default <see langword="null"/>: give <see cref="Filter"/> instead.</value></summary>
    public IReadOnlyList<Guid>? InstanceIds { get; init; }

    /// <summary>The dead letters to requeue in bulk: the oldest <see cref="DeadLetterFilter.Limit"/> matching it; send again while
    /// <see cref="DeadLettersRequeued.More"/> is true to requeue them all. <value>Default <see langword="null"/>: give <see cref="InstanceIds"/> instead.</value></summary>
    public DeadLetterFilter? Filter { get; init; }
}
