namespace Scheduler.Contracts;

/// <summary>Reply to a task command or query naming a task that does not exist (never scheduled, or deleted by retention after it finished).</summary>
public sealed record TaskNotFound
{
    /// <summary>The id named in the request.</summary>
    public required Guid TaskId { get; init; }
}
