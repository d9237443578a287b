namespace Scheduler.Contracts;

/// <summary>Reply to <see cref="RetryTaskInstanceNow"/>.</summary>
public sealed record TaskInstanceRetried
{
    /// <summary>The id of the task instance.</summary>
    public required Guid InstanceId { get; init; }

    /// <summary><see langword="false"/> when there is no such task instance: nothing changed.</summary>
    public required bool Found { get; init; }

    /// <summary>Whether its due time moved to now; <see langword="false"/> when it was due already (or not found).</summary>
    public bool Changed { get; init; }

    /// <summary>The task the instance belongs to; <see langword="null"/> when not found.</summary>
    public Guid? TaskId { get; init; }

    /// <summary>The instance after the command (its <see cref="TaskInstanceInfo.DueAt"/> is now); <see langword="null"/> when not found.</summary>
    public TaskInstanceInfo? Instance { get; init; }
}
