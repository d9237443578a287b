namespace Scheduler.Contracts;

/// <summary>Event: a task instance failed for good (its last attempt failed or expired); nothing will dispatch it again.</summary>
public sealed record TaskDeadLettered
{
    /// <summary>The task definition's id.</summary>
    public required Guid TaskId { get; init; }

    /// <summary>The task instance's id.</summary>
    public required Guid InstanceId { get; init; }

    /// <summary>The last attempt's number.</summary>
    public required int Attempt { get; init; }

    /// <summary>The occurrence's fire time (UTC instant).</summary>
    public required DateTimeOffset FireTime { get; init; }

    /// <summary>Why the last attempt failed.</summary>
    public required string Reason { get; init; }

    /// <summary>When the instance was marked failed (UTC instant, scheduler's clock).</summary>
    public required DateTimeOffset FailedAt { get; init; }
}
