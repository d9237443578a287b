namespace Scheduler.Contracts;

/// <summary>A task instance and its attempts. Element of <see cref="TaskInstanceList"/>.</summary>
public sealed record TaskInstanceInfo
{
    /// <summary>The instance's id (<see cref="TaskDue.InstanceId"/>).</summary>
    public required Guid InstanceId { get; init; }

    /// <summary>The occurrence's fire time (UTC instant).</summary>
    public required DateTimeOffset FireTime { get; init; }

    /// <summary>The delay its task's jitter drew for it: its first attempt was due at <see cref="FireTime"/> plus this.
    /// <see cref="TimeSpan.Zero"/> without jitter.</summary>
    public TimeSpan Jitter { get; init; }

    /// <summary>Where it stands.</summary>
    public required TaskInstanceState State { get; init; }

    /// <summary>The number of the latest attempt (0 before the first dispatch).</summary>
    public required int Attempt { get; init; }

    /// <summary>The attempts its retry policy allows.</summary>
    public required int MaxAttempts { get; init; }

    /// <summary>When the scheduler acts on it next (UTC instant): the dispatch time while Scheduled or Claimed, the expiry of the running
    /// attempt while Dispatched; <see langword="null"/> once final.</summary>
    public DateTimeOffset? DueAt { get; init; }

    /// <summary>When the latest attempt was dispatched.</summary>
    public DateTimeOffset? DispatchedAt { get; init; }

    /// <summary>When a worker started the latest reported attempt.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When its completion was recorded.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>When it failed for good (dead-lettered).</summary>
    public DateTimeOffset? FailedAt { get; init; }

    /// <summary>When it reached a final state.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>The latest failure's reason (or why it was skipped).</summary>
    public string? LastError { get; init; }

    /// <summary>Its attempts, first to last (the attempt history, kept as long as the instance is): who claimed and ran each, when, how it
    /// ended. Empty before the first claim, and from a scheduler that does not keep the history.</summary>
    public IReadOnlyList<TaskAttemptInfo> Attempts { get; init; } = [];
}
