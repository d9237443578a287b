using Scheduler.Contracts;

namespace Scheduler.Core.Definitions;

/// <summary>
/// One occurrence of a task definition's trigger and the record of its attempts. Unique per (<see cref="DefinitionId"/>, <see cref="FireTime"/>).
/// All instants are UTC.
/// </summary>
public sealed class TaskInstance
{
    /// <summary>The instance's id (the saga's correlation id).</summary>
    public required Guid Id { get; init; }

    /// <summary>The task definition's id.</summary>
    public required Guid DefinitionId { get; init; }

    /// <summary>The occurrence's fire time per the trigger.</summary>
    public required DateTimeOffset FireTime { get; init; }

    /// <summary>The delay the task's jitter drew for this occurrence (<see cref="Runtime.OccurrenceJitter"/>): its first attempt is due at
    /// <see cref="FireTime"/> plus this, from which lateness is measured. <see cref="TimeSpan.Zero"/> without jitter.</summary>
    public TimeSpan Jitter { get; init; }

    /// <summary>The instance's state.</summary>
    public TaskInstanceState Status { get; set; }

    /// <summary>The number of the latest attempt handed out: 0 before the first dispatch; a runner that claims the instance reserves the next number.</summary>
    public int Attempt { get; set; }

    /// <summary>When the runner must act next: the dispatch time while <see cref="TaskInstanceState.Scheduled"/>, the expiry of the running
    /// attempt while <see cref="TaskInstanceState.Dispatched"/>; <see langword="null"/> in final states.</summary>
    public DateTimeOffset? DueAt { get; set; }

    /// <summary>Copied from the definition: how long an attempt may run.</summary>
    public required TimeSpan ExpireAfter { get; init; }

    /// <summary>Copied from the definition: the retry policy (its attempt budget and backoff).</summary>
    public required RetryPolicy Retry { get; init; }

    /// <summary>
    /// The attempt number after which no attempt follows: <see cref="RetryPolicy.MaxAttempts"/> of <see cref="Retry"/> until a requeue of the
    /// dead letter raises it by a whole budget (<see cref="Storage.TaskInstanceLifecycle.Requeue"/>); a column the store's SQL compares.
    /// </summary>
    public int MaxAttempts
    {
        get => _attemptLimit ?? Retry.MaxAttempts;
        set => _attemptLimit = value;
    }

    private int? _attemptLimit;

    /// <summary>The scheduler node holding a claim on the instance, if any.</summary>
    public string? LeaseOwner { get; set; }

    /// <summary>When the claim runs out; after it another node may claim the instance.</summary>
    public DateTimeOffset? LeaseExpiresAt { get; set; }

    /// <summary>When the latest attempt was dispatched.</summary>
    public DateTimeOffset? DispatchedAt { get; set; }

    /// <summary>When a worker started the latest reported attempt.</summary>
    public DateTimeOffset? StartedAt { get; set; }

    /// <summary>When the scheduler recorded that an attempt completed (the seed's completed_at; the recording node's clock).</summary>
    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>When the worker's handler returned, as the worker reported it (the worker's clock); kept beside <see cref="CompletedAt"/>.</summary>
    public DateTimeOffset? ReportedCompletedAt { get; set; }

    /// <summary>When the instance failed for good.</summary>
    public DateTimeOffset? FailedAt { get; set; }

    /// <summary>When the instance reached its final state (completed, failed or cancelled); the cleanup loop deletes by it.</summary>
    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>The latest failure's reason.</summary>
    public string? LastError { get; set; }

    /// <summary>Optimistic concurrency token, incremented by every update.</summary>
    public long Version { get; set; }

    /// <summary>Whether the instance is in a final state.</summary>
    public bool IsFinal => Storage.TaskInstanceLifecycle.FinalStates.Contains(Status);

    /// <summary>Whether an attempt of this occurrence was ever handed out: dispatched, or used up by a failed dispatch. An occurrence not
    /// begun can be taken back (pause, update) and planned again without losing or repeating a run.</summary>
    public bool HasBegun => DispatchedAt is not null || LastError is not null;

    /// <summary>A copy whose state can be changed without affecting this instance.</summary>
    public TaskInstance Clone() => (TaskInstance)MemberwiseClone();
}
