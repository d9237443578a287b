using Scheduler.Contracts;

namespace Scheduler.Core.Storage;

/// <summary>Request of <see cref="IAdminStore.ListInstancesAsync"/>: a page of task instances, latest fire time first (ties by id, descending),
/// after a keyset cursor, so a page never repeats or skips a row however the table changes between pages.</summary>
public sealed record InstanceQuery
{
    /// <summary>Only the instances of this definition; <see langword="null"/> for every task's.</summary>
    public Guid? DefinitionId { get; init; }

    /// <summary>Only instances in this status; <see langword="null"/> for all.</summary>
    public TaskInstanceState? Status { get; init; }

    /// <summary>Only instances of tasks whose <see cref="Definitions.TaskDefinition.DestinationQueue"/> is this queue (exact, case-sensitive);
    /// <see langword="null"/> for every destination.</summary>
    public string? DestinationQueue { get; init; }

    /// <summary>Only instances of tasks whose metadata has this key (and, with <see cref="MetadataValue"/>, that value); <see langword="null"/>
    /// for any metadata.</summary>
    public string? MetadataKey { get; init; }

    /// <summary>With <see cref="MetadataKey"/>: the value the task's metadata entry must have (exact).</summary>
    public string? MetadataValue { get; init; }

    /// <summary>Only instances whose fire time is at or after this instant; <see langword="null"/> for no lower bound.</summary>
    public DateTimeOffset? FiredSince { get; init; }

    /// <summary>Only instances whose fire time is before this instant (exclusive); <see langword="null"/> for no upper bound.</summary>
    public DateTimeOffset? FiredUntil { get; init; }

    /// <summary>Only finished instances (<see cref="Definitions.TaskInstance.FinishedAt"/> set) that finished at or after this instant;
    /// <see langword="null"/> for no lower bound.</summary>
    public DateTimeOffset? FinishedSince { get; init; }

    /// <summary>Only finished instances that finished before this instant (exclusive); <see langword="null"/> for no upper bound.</summary>
    public DateTimeOffset? FinishedUntil { get; init; }

    /// <summary>Only instances that come after this one in the order (the last row of the previous page); <see langword="null"/> for the
    /// first page.</summary>
    public InstanceCursor? After { get; init; }

    /// <summary>At most this many instances are returned.</summary>
    public required int Take { get; init; }
}
