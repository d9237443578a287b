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
