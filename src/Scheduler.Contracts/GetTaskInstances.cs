namespace Scheduler.Contracts;

/// <summary>Query: a page of a task's instances, latest fire time first, with their attempts, states, times and last error. Answered with
/// <see cref="TaskInstanceList"/>, <see cref="TaskNotFound"/>, or <see cref="TaskRejected"/> when a filter is invalid.</summary>
public sealed record GetTaskInstances
{
    /// <summary>The task's id.</summary>
    public required Guid TaskId { get; init; }

    /// <summary>Only instances in this state. <value>Default: every state.</value></summary>
    public TaskInstanceState? State { get; init; }

    /// <summary>Most instances per page. <value>Default 100; 1 to 1,000.</value></summary>
    public int PageSize { get; init; } = 100;

    /// <summary>The <see cref="TaskInstanceList.NextPageToken"/> of the previous page. <value>Default: the first page.</value></summary>
    public string? PageToken { get; init; }
}
