namespace Scheduler.Contracts;

/// <summary>Query: one task. Answered with <see cref="TaskInfo"/> or <see cref="TaskNotFound"/>.</summary>
public sealed record GetTask
{
    /// <summary>The task's id.</summary>
    public required Guid TaskId { get; init; }
}
