namespace Scheduler.Core.Storage;

/// <summary>Request of <see cref="ICleanupStore.CleanupAsync"/>.</summary>
public sealed record CleanupRequest
{
    /// <summary>Final instances that finished (completed, failed or cancelled) before this instant (UTC) are deleted.</summary>
    public required DateTimeOffset FinishedBefore { get; init; }

    /// <summary>At most this many rows of each kind are deleted per call.</summary>
    public required int MaxCount { get; init; }
}
