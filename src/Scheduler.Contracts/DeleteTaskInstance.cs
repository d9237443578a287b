namespace Scheduler.Contracts;

/// <summary>
/// Command: delete one finished task instance (Completed, Failed, Cancelled or Skipped), e.g. a dead letter no one will requeue. Refused
/// (<see cref="TaskRejected"/>, naming its state) for an instance in any other state. Answered with <see cref="TaskInstanceDeleted"/> or
/// <see cref="TaskRejected"/>.
/// </summary>
/// <remarks>Idempotent: deleting a deleted (or unknown) instance is answered with <see cref="TaskInstanceDeleted.Found"/> <see langword="false"/>.
/// Send it to <see cref="SchedulerEndpoints.TaskControl"/>.</remarks>
public sealed record DeleteTaskInstance
{
    /// <summary>The id of the task instance to delete (<see cref="TaskInstanceInfo.InstanceId"/>).</summary>
    public required Guid InstanceId { get; init; }
}
