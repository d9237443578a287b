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

    /// <summary>Only instances that come after this one in the order (the last row of the previous page); <see langword="null"/> for the
    /// first page.</summary>
    public InstanceCursor? After { get; init; }

    /// <summary>At most this many instances are returned.</summary>
    public required int Take { get; init; }
}
