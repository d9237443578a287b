using Scheduler.Core.Definitions;

namespace Scheduler.Core.Storage;

/// <summary>Where a page of <see cref="IDefinitionStore.ListDefinitionsAsync"/> resumes (<see cref="DefinitionQuery.After"/>): the creation time
/// and id of the previous page's last definition.</summary>
/// <param name="CreatedAt">Its <see cref="TaskDefinition.CreatedAt"/> (UTC).</param>
/// <param name="Id">Its id: ties of creation time are ordered by id, ascending (the order of the ids' text, which every store keeps).</param>
public sealed record DefinitionCursor(DateTimeOffset CreatedAt, Guid Id)
{
    /// <summary>Whether <paramref name="definition"/> comes after this cursor in the order (oldest first, then lowest id).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="definition"/> is null.</exception>
    public bool Precedes(TaskDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return definition.CreatedAt > CreatedAt || (definition.CreatedAt == CreatedAt && definition.Id.CompareTo(Id) > 0);
    }
}
