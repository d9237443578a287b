namespace Scheduler.Contracts;

/// <summary>Reply to <see cref="ListTasks"/>.</summary>
public sealed record TaskList
{
    /// <summary>The tasks of this page.</summary>
    public required IReadOnlyList<TaskInfo> Tasks { get; init; }

    /// <summary>Pass as <see cref="ListTasks.PageToken"/> for the next page; <see langword="null"/> on the last page.</summary>
    public string? NextPageToken { get; init; }
}
