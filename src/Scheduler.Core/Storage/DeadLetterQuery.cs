namespace Scheduler.Core.Storage;

/// <summary>Request of <see cref="IAdminStore.ListDeadLettersAsync"/>: a page of Failed instances of every task, newest failure first.</summary>
public sealed record DeadLetterQuery
{
    /// <summary>How many of the ordered list to pass over.</summary>
    public int Skip { get; init; }

    /// <summary>At most this many are returned.</summary>
    public required int Take { get; init; }
}
