namespace Scheduler.Contracts;

/// <summary>Reply to <see cref="GetTaskInstances"/>.</summary>
public sealed record TaskInstanceList
{
    /// <summary>The task's id.</summary>
    public required Guid TaskId { get; init; }

    /// <summary>The instances of this page, latest fire time first. Finished instances are kept for the node's retention (default 1 day).</summary>
    public required IReadOnlyList<TaskInstanceInfo> Instances { get; init; }

    /// <summary>Pass as <see cref="GetTaskInstances.PageToken"/> for the next page; <see langword="null"/> on the last page.</summary>
    public string? NextPageToken { get; init; }
}
