namespace Scheduler.Core.Storage;

/// <summary>
/// Request of <see cref="IAdminStore.RequeueMatchingDeadLettersAsync"/>: the dead letters to requeue by a filter, oldest first, at most
/// <see cref="Limit"/>. Every criterion left <see langword="null"/> matches all; all instants are UTC.
/// </summary>
public sealed record DeadLetterRequeueRequest
{
    /// <summary>The time (UTC) the requeued instances come due.</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>At most this many are requeued; at least 1.</summary>
    public required int Limit { get; init; }

    /// <summary>Only dead letters of this task (definition id).</summary>
    public Guid? TaskId { get; init; }

    /// <summary>Only dead letters that dead-lettered (<see cref="Definitions.TaskInstance.FailedAt"/>) at or after this instant.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Only dead letters that dead-lettered before this instant.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>Only dead letters of tasks sent to this destination queue (exact, case-sensitive name).</summary>
    public string? DestinationQueue { get; init; }
}
