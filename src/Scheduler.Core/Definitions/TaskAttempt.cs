using Scheduler.Contracts;

namespace Scheduler.Core.Definitions;

/// <summary>
/// One attempt of a task instance, as the attempt history keeps it (table <c>task_attempts</c>, keyed by (<see cref="InstanceId"/>,
/// <see cref="Attempt"/>)): written by the same transitions, in the same statements, as the instance's row
/// (<see cref="Storage.TaskInstanceLifecycle"/>, <c>.Attempts.cs</c>), and deleted with the instance. All instants are UTC.
/// </summary>
public sealed class TaskAttempt
{
    /// <summary>The instance.</summary>
    public required Guid InstanceId { get; init; }

    /// <summary>The attempt number, from 1.</summary>
    public required int Attempt { get; init; }

    /// <summary>The node that claimed it.</summary>
    public string? ClaimedBy { get; set; }

    /// <summary>When it was claimed (the node's clock).</summary>
    public DateTimeOffset? ClaimedAt { get; set; }

    /// <summary>When its dispatch was recorded.</summary>
    public DateTimeOffset? DispatchedAt { get; set; }

    /// <summary>When the worker's handler started (the worker's clock), or when its start was recorded if the worker did not say.</summary>
    public DateTimeOffset? StartedAt { get; set; }

    /// <summary>When its outcome was recorded.</summary>
    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>How it ended; <see langword="null"/> while claimed or running (or, read as <see cref="AttemptOutcome.Expired"/>, when a later
    /// attempt superseded it: <see cref="Storage.TaskInstanceLifecycle.History"/>).</summary>
    public AttemptOutcome? Outcome { get; set; }

    /// <summary>The failure, or why it expired.</summary>
    public string? Error { get; set; }

    /// <summary>The worker that reported on it (<c>host/process id</c>).</summary>
    public string? Worker { get; set; }

    /// <summary>A copy.</summary>
    public TaskAttempt Clone() => (TaskAttempt)MemberwiseClone();
}
