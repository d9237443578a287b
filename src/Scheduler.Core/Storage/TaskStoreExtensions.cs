using Scheduler.Core.Definitions;

namespace Scheduler.Core.Storage;

/// <summary>Conveniences over <see cref="ITaskStore"/>.</summary>
public static class TaskStoreExtensions
{
    /// <summary>Stores one task definition: <see cref="IDefinitionStore.AddDefinitionsAsync"/> with a batch of one.</summary>
    /// <param name="store">The store.</param>
    /// <param name="definition">The definition.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored definition, or the existing one with the same id or idempotency key.</returns>
    public static async Task<AddDefinitionResult> AddDefinitionAsync(this IDefinitionStore store, TaskDefinition definition,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(definition);
        return (await store.AddDefinitionsAsync([definition], cancellationToken).ConfigureAwait(false))[0];
    }
}
