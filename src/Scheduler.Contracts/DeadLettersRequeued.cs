namespace Scheduler.Contracts;

/// <summary>Reply to <see cref="RequeueDeadLetters"/>.</summary>
public sealed record DeadLettersRequeued
{
    /// <summary>The instances requeued (by a filter: oldest dead letter first): each was Failed and is now Scheduled, due now. An id of the
    /// command missing from it was not a dead letter (missing, requeued already, or in another state), and nothing changed for it.</summary>
    public required IReadOnlyList<Guid> Requeued { get; init; }

    /// <summary>By a <see cref="RequeueDeadLetters.Filter"/>: whether more dead letters matched than its limit; send the command again to
    /// requeue them. Always <see langword="false"/> for <see cref="RequeueDeadLetters.InstanceIds"/>.</summary>
    public bool More { get; init; }
}
