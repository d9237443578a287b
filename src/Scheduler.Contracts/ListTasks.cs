namespace Scheduler.Contracts;

/// <summary>Query: a page of tasks, oldest first, optionally filtered. Answered with <see cref="TaskList"/>, or <see cref="TaskRejected"/>
/// when a filter is invalid.</summary>
public sealed record ListTasks
{
    /// <summary>Only tasks in this state. <value>Default: every state.</value></summary>
    public TaskState? State { get; init; }

    /// <summary>Only tasks whose metadata has this key (with <see cref="MetadataValue"/>, this entry). <value>Default: no filter.</value></summary>
    public string? MetadataKey { get; init; }

    /// <summary>With <see cref="MetadataKey"/>: only tasks whose entry for that key has this value.</summary>
    public string? MetadataValue { get; init; }

    /// <summary>Most tasks per page. <value>Default 100; 1 to 1,000.</value></summary>
    public int PageSize { get; init; } = 100;

    /// <summary>The <see cref="TaskList.NextPageToken"/> of the previous page. <value>Default: the first page.</value></summary>
    public string? PageToken { get; init; }
}
