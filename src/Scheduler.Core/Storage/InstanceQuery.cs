using Scheduler.Contracts;

namespace Scheduler.Core.Storage;

/// <summary>Request of <see cref="IAdminStore.ListInstancesAsync"/>.</summary>
public sealed record InstanceQuery
{
    /// <summary>The definition's id.</summary>
    public required Guid DefinitionId { get; init; }

    /// <summary>Only instances in this status; <see langword="null"/> for all.</summary>
    public TaskInstanceState? Status { get; init; }

    /// <summary>How many instances of the ordered, filtered list to pass over.</summary>
    public int Skip { get; init; }

    /// <summary>At most this many instances are returned.</summary>
    public required int Take { get; init; }
}
