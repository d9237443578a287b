namespace Scheduler.Contracts;

/// <summary>Event: a worker's handler returned without an exception. The scheduler records the instance completed: <c>completed_at</c> is when it
/// recorded that (its clock), and <see cref="CompletedAt"/> is kept beside it as <c>reported_completed_at</c>.</summary>
public sealed record TaskCompleted
{
    /// <summary>The task definition's id.</summary>
    public required Guid TaskId { get; init; }

    /// <summary>The task instance's id.</summary>
    public required Guid InstanceId { get; init; }

    /// <summary>The attempt that completed.</summary>
    public required int Attempt { get; init; }

    /// <summary>When the handler was called (UTC instant, worker's clock).</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>When the handler returned (UTC instant, worker's clock).</summary>
    public required DateTimeOffset CompletedAt { get; init; }

    /// <summary>The worker that sent it: its host name and process id (<c>host/pid</c>), kept in the attempt history. Optional: a worker of an
    /// earlier release sends none.</summary>
    public string? Worker { get; init; }
}
