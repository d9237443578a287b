namespace Scheduler.Contracts;

/// <summary>Reply to <see cref="DeleteTaskInstance"/>.</summary>
public sealed record TaskInstanceDeleted
{
    /// <summary>The id of the task instance.</summary>
    public required Guid InstanceId { get; init; }

    /// <summary><see langword="false"/> when there was no such task instance (deleted already): nothing changed.</summary>
    public required bool Found { get; init; }

    /// <summary>The task the deleted instance belonged to; <see langword="null"/> when <see cref="Found"/> is <see langword="false"/>.</summary>
    public Guid? TaskId { get; init; }
}
