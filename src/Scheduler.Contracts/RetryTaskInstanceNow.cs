namespace Scheduler.Contracts;

/// <summary>
/// Command: a task instance waiting for its retry backoff (Scheduled after a failed attempt) becomes due now, its attempt count and attempt
/// budget kept. Refused (<see cref="TaskRejected"/>) for an instance in any other state; a dead letter (Failed) is requeued instead
/// (<see cref="RequeueDeadLetters"/>). Answered with <see cref="TaskInstanceRetried"/> or <see cref="TaskRejected"/>.
/// </summary>
/// <remarks>Idempotent: an instance due already is answered with <see cref="TaskInstanceRetried.Changed"/> <see langword="false"/>. Send it to
/// <see cref="SchedulerEndpoints.TaskControl"/>.</remarks>
public sealed record RetryTaskInstanceNow
{
    /// <summary>The id of the task instance (<see cref="TaskInstanceInfo.InstanceId"/>).</summary>
    public required Guid InstanceId { get; init; }
}
