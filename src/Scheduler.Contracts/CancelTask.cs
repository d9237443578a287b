namespace Scheduler.Contracts;

/// <summary>
/// Command: stop a task definition from firing again. Its task instances not yet dispatched are cancelled; an attempt already running may
/// finish and its outcome is recorded, but is never followed by another attempt (no retry after a failure, no new dispatch after
/// ExpireAfter): the runner cancels such an instance when it comes due. Scheduler nodes other than the one that takes the command learn of it
/// at their next poll (default 1 s): an instance one of them holds and that is due within that time may still be dispatched. Send it to
/// <see cref="SchedulerEndpoints.CancelTask"/> of the task's cluster (nodes of the default cluster also take it published).
/// </summary>
public sealed record CancelTask
{
    /// <summary>The id of the task definition to cancel.</summary>
    public required Guid TaskId { get; init; }
}
