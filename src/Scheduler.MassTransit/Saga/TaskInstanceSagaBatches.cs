using MassTransit;
using Scheduler.Core.Definitions;
using Scheduler.Core.Runtime;
using Scheduler.Core.Storage;

namespace Scheduler.MassTransit.Saga;

/// <summary>
/// The saga's reads and writes by group commit: the rows of the events being processed at the same moment are loaded in one query, and their
/// outcomes applied in one statement, so the saga costs a few round trips per batch of events rather than per event.
/// </summary>
internal sealed class TaskInstanceSagaBatches : IAsyncDisposable, IDisposable
{
    public TaskInstanceSagaBatches(IOutcomeStore store)
    {
        Loads = new GroupCommit<Guid, TaskInstance?>(async (ids, ct) =>
        {
            var found = (await store.GetInstancesByIdAsync(ids.ToList(), ct).ConfigureAwait(false)).ToDictionary(i => i.Id);
            // Each caller gets its own copy: two events of one instance in a batch must not share a mutable row.
            return ids.Select(id => found.TryGetValue(id, out var instance) ? instance.Clone() : null).ToList();
        });
        Outcomes = new GroupCommit<InstanceOutcome, bool>(store.ApplyOutcomesAsync);
    }

    public GroupCommit<Guid, TaskInstance?> Loads { get; }

    public GroupCommit<InstanceOutcome, bool> Outcomes { get; }

    public async ValueTask DisposeAsync()
    {
        await Loads.DisposeAsync().ConfigureAwait(false);
        await Outcomes.DisposeAsync().ConfigureAwait(false);
    }

    // A host disposed synchronously (using instead of await using) disposes its singletons this way.
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
