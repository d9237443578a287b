namespace Scheduler.Contracts;

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
