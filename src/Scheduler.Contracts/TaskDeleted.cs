namespace Scheduler.Contracts;

/// <summary>Reply to <see cref="DeleteTask"/>.</summary>
public sealed record TaskDeleted
{
    /// <summary>The id of the task definition.</summary>
    public required Guid TaskId { get; init; }

    /// <summary><see langword="false"/> when there was no such task definition (deleted already): nothing changed.</summary>
    public required bool Found { get; init; }

    /// <summary>How many task instances were deleted with it: 0 or more.</summary>
    public int InstancesDeleted { get; init; }
}
