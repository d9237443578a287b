namespace Scheduler.Contracts;

/// <summary>Reply to <see cref="CancelTask"/>.</summary>
public sealed record TaskCancelled
{
    /// <summary>The id of the task definition.</summary>
    public required Guid TaskId { get; init; }

    /// <summary><see langword="false"/> when no such task definition exists (or it had finished already).</summary>
    public required bool Found { get; init; }
}
