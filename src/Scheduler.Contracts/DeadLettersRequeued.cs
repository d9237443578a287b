namespace Scheduler.Contracts;

/// <summary>Reply to <see cref="RequeueDeadLetters"/>.</summary>
public sealed record DeadLettersRequeued
{
    /// <summary>The instances requeued: each was Failed and is now Scheduled, due now. An id of the command missing from it was not a dead
    /// letter (missing, requeued already, or in another state), and nothing changed for it.</summary>
    public required IReadOnlyList<Guid> Requeued { get; init; }
}
