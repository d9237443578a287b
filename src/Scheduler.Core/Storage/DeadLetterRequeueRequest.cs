using Scheduler.Contracts;

namespace Scheduler.Core.Storage;

/// <summary>
/// Request of <see cref="IAdminStore.RequeueMatchingDeadLettersAsync"/>: the dead letters <see cref="Filter"/> selects, oldest first, at most
/// its <see cref="DeadLetterFilter.Limit"/>, requeued to come due at <see cref="Now"/>.
/// </summary>
public sealed record DeadLetterRequeueRequest
{
    /// <summary>The time (UTC) the requeued instances come due.</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>Which dead letters, and at most how many (<see cref="DeadLetterFilter.Limit"/>, at least 1); a criterion left
    /// <see langword="null"/> matches all.</summary>
    public required DeadLetterFilter Filter { get; init; }
}
