using Scheduler.Contracts;

namespace Scheduler.Core.Runtime;

/// <summary>
/// Which task instances a list across tasks shows (<see cref="SchedulingService.FindInstancesAsync"/>):
/// those matching every property given; <see langword="null"/> properties do not filter. Time ranges are half-open: since inclusive, until exclusive.
/// </summary>
public sealed record InstanceFilter
{
    /// <summary>Only the instances of this task (definition).</summary>
    public Guid? TaskId { get; init; }

    /// <summary>Only instances in this state.</summary>
    public TaskInstanceState? State { get; init; }

    /// <summary>Only instances of tasks sent to this destination queue (exact name).</summary>
    public string? DestinationQueue { get; init; }

    /// <summary>Only instances of tasks whose metadata has this key (and, with <see cref="MetadataValue"/>, that value).</summary>
    public string? MetadataKey { get; init; }

    /// <summary>With <see cref="MetadataKey"/>: the value the entry must have (exact). Without a key it is refused.</summary>
    public string? MetadataValue { get; init; }

    /// <summary>Only instances whose fire time is at or after this instant.</summary>
    public DateTimeOffset? FiredSince { get; init; }

    /// <summary>Only instances whose fire time is before this instant.</summary>
    public DateTimeOffset? FiredUntil { get; init; }

    /// <summary>Only instances that finished (Completed, Failed, Cancelled or Skipped) at or after this instant.</summary>
    public DateTimeOffset? FinishedSince { get; init; }

    /// <summary>Only instances that finished before this instant.</summary>
    public DateTimeOffset? FinishedUntil { get; init; }
}
