namespace Scheduler.Contracts;

/// <summary>
/// Which dead letters a bulk <see cref="RequeueDeadLetters"/> requeues: those matching every criterion given (one left <see langword="null"/>
/// matches all), oldest dead letter first, at most <see cref="Limit"/> per command. Instants are UTC.
/// </summary>
public sealed record DeadLetterFilter
{
    /// <summary>Only dead letters of this task. <value>Default: of every task.</value></summary>
    public Guid? TaskId { get; init; }

    /// <summary>Only dead letters that dead-lettered (<see cref="TaskInstanceInfo.FailedAt"/>) at or after this instant.
    /// <value>Default: no lower bound.</value></summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Only dead letters that dead-lettered before this instant; later than <see cref="Since"/>. <value>Default: no upper bound.</value></summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>Only dead letters of tasks sent to this destination queue (the exact name, as <see cref="ScheduleTask.DestinationQueue"/>).
    /// <value>Default: any recipient.</value></summary>
    public string? DestinationQueue { get; init; }

    /// <summary>At most this many are requeued by one command; <see cref="DeadLettersRequeued.More"/> says whether more matched.
    /// <value>Default 100; 1 to 1,000.</value></summary>
    public int Limit { get; init; } = 100;
}
