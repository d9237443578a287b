namespace Scheduler.Contracts;

/// <summary>
/// Command: delete a task definition and all its task instances, its history included. Refused (<see cref="TaskRejected"/>) while an instance
/// of it is Claimed or Dispatched: cancel the task first (<see cref="CancelTask"/>) and wait until its dispatched instances finish. A task
/// that is not cancelled is deleted too when none is in flight. Answered with <see cref="TaskDeleted"/> or <see cref="TaskRejected"/>.
/// </summary>
/// <remarks>Idempotent: deleting a deleted (or unknown) task changes nothing and is answered with <see cref="TaskDeleted.Found"/>
/// <see langword="false"/>. Send it to <see cref="SchedulerEndpoints.TaskControl"/> of the task's cluster.</remarks>
public sealed record DeleteTask
{
    /// <summary>The id of the task definition to delete.</summary>
    public required Guid TaskId { get; init; }
}
