using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scheduler.Core.Definitions;
using Scheduler.Core.Runtime;
using Scheduler.Core.Storage;

namespace Scheduler.MassTransit.Saga;

/// <summary>
/// The saga's reads and writes by group commit: the rows of the events being processed at the same moment are loaded in one query, and their
/// outcomes applied in one statement, so the saga costs a few round trips per batch of events rather than per event. Single reports (through
/// the saga repository) and the reports of a <see cref="Contracts.TaskReportBatch"/> (<see cref="TaskReportBatchConsumer"/>) share them.
/// </summary>
internal sealed class TaskInstanceSagaBatches : IAsyncDisposable, IDisposable
{
    private readonly SagaOutcomeReporter _reporter;

    public TaskInstanceSagaBatches(IOutcomeStore store, SchedulerMetrics metrics, ITaskDispatcher dispatcher, IOptions<SchedulerOptions> options,
        TimeProvider timeProvider, ILogger<TaskInstanceStateMachine> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        Loads = new GroupCommit<Guid, TaskInstance?>(async (ids, ct) =>
        {
            var found = (await store.GetInstancesByIdAsync(ids.ToList(), ct).ConfigureAwait(false)).ToDictionary(i => i.Id);
            // Each caller gets its own copy: two events of one instance in a batch must not share a mutable row.
            return ids.Select(id => found.TryGetValue(id, out var instance) ? instance.Clone() : null).ToList();
        });
        Outcomes = new GroupCommit<InstanceOutcome, bool>(store.ApplyOutcomesAsync);
        _reporter = new SagaOutcomeReporter(metrics, new DeadLetterNotifier(dispatcher, metrics, options.Value.SendTimeout, timeProvider, logger), logger);
    }

    public GroupCommit<Guid, TaskInstance?> Loads { get; }

    public GroupCommit<InstanceOutcome, bool> Outcomes { get; }

    /// <summary>Applies the state machine's decision about one report (<see cref="TaskInstanceSaga.Outcome"/>) as one fenced transition. A closed
    /// fence means the instance moved past the reported attempt since it was loaded (the next attempt was claimed, or the instance finished): the
    /// report is stale, and on fresh state the decision would be to ignore it, so it changes nothing and is not processed again. An applied
    /// outcome is counted, and a dead letter announced.</summary>
    public async Task ApplyAsync(TaskInstanceSaga saga)
    {
        if (saga.Outcome is not { } outcome)
        {
            return; // an ignored or stale event: nothing to write
        }

        using var span = SchedulerTracing.StartOutcome(outcome, saga.Instance.DefinitionId);
        if (!await Outcomes.WriteAsync(outcome).ConfigureAwait(false))
        {
            span?.SetTag("scheduler.stale", true);
            _reporter.Stale(outcome);
            return;
        }

        await _reporter.AppliedAsync(outcome, saga.Instance).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await Loads.DisposeAsync().ConfigureAwait(false);
        await Outcomes.DisposeAsync().ConfigureAwait(false);
    }

    // A host disposed synchronously (using instead of await using) disposes its singletons this way.
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
