using MassTransit;
using MassTransit.Context;
using MassTransit.Saga;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scheduler.Core.Definitions;
using Scheduler.Core.Runtime;
using Scheduler.Core.Storage;

namespace Scheduler.MassTransit.Saga;

/// <summary>
/// Persists the task instance saga in the <see cref="ITaskStore"/>, on MassTransit's repository seams (<see cref="ISagaRepositoryContextFactory{TSaga}"/>
/// with <see cref="SagaConsumeContextFactory{TContext,TSaga}"/>): the saga state is the task instance row, loaded by id (batched with the
/// loads of concurrent events) and changed only through the state machine's <see cref="TaskInstanceSaga.Outcome"/>, applied by the store as a
/// fenced transition (batched likewise). A closed fence drops the report as stale. Each applied outcome is counted
/// (<see cref="SchedulerMetrics.OutcomeApplied"/>); a dead letter is announced (<see cref="DeadLetterNotifier"/>).
/// </summary>
internal sealed class TaskStoreSagaRepositoryContextFactory : ISagaRepositoryContextFactory<TaskInstanceSaga>
{
    private readonly TaskInstanceSagaBatches _batches;
    private readonly ITaskStore _store;
    private readonly ISagaConsumeContextFactory<ITaskStore, TaskInstanceSaga> _factory;
    private readonly SagaOutcomeReporter _reporter;

    public TaskStoreSagaRepositoryContextFactory(ITaskStore store, TaskInstanceSagaBatches batches,
        ISagaConsumeContextFactory<ITaskStore, TaskInstanceSaga> factory, SchedulerMetrics metrics, ITaskDispatcher dispatcher,
        IOptions<SchedulerOptions> options, TimeProvider timeProvider, ILogger<TaskStoreSagaRepositoryContextFactory> logger)
    {
        _store = store;
        _batches = batches;
        _factory = factory;
        _reporter = new SagaOutcomeReporter(metrics,
            new DeadLetterNotifier(dispatcher, metrics, options.Value.SendTimeout, timeProvider, logger), logger);
    }

    public void Probe(ProbeContext context) => context.Add("persistence", "scheduler-task-store");

    public Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TaskInstanceSaga, T>> next)
        where T : class =>
        next.Send(new TaskStoreSagaRepositoryContext<T>(_store, _batches, context, _factory, _reporter));

    public Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TaskInstanceSaga> query, IPipe<SagaRepositoryQueryContext<TaskInstanceSaga, T>> next)
        where T : class =>
        throw new NotSupportedException("The task instance saga is correlated by instance id only; query correlation is not supported.");
}

/// <summary>
/// The saga's reads and writes by group commit: the rows of the events being processed at the same moment are loaded in one query, and their
/// outcomes applied in one statement, so the saga costs a few round trips per batch of events rather than per event.
/// </summary>
internal sealed class TaskInstanceSagaBatches : IAsyncDisposable, IDisposable
{
    public TaskInstanceSagaBatches(ITaskStore store)
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

internal sealed class TaskStoreSagaRepositoryContext<TMessage> : ConsumeContextScope<TMessage>, SagaRepositoryContext<TaskInstanceSaga, TMessage>
    where TMessage : class
{
    private readonly ITaskStore _store;
    private readonly TaskInstanceSagaBatches _batches;
    private readonly ConsumeContext<TMessage> _consumeContext;
    private readonly ISagaConsumeContextFactory<ITaskStore, TaskInstanceSaga> _factory;
    private readonly SagaOutcomeReporter _reporter;

    public TaskStoreSagaRepositoryContext(ITaskStore store, TaskInstanceSagaBatches batches, ConsumeContext<TMessage> consumeContext,
        ISagaConsumeContextFactory<ITaskStore, TaskInstanceSaga> factory, SagaOutcomeReporter reporter)
        : base(consumeContext, store)
    {
        _reporter = reporter;
        _store = store;
        _batches = batches;
        _consumeContext = consumeContext;
        _factory = factory;
    }

    public Task<SagaConsumeContext<TaskInstanceSaga, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> consumeContext, TaskInstanceSaga instance,
        SagaConsumeContextMode mode)
        where T : class =>
        _factory.CreateSagaConsumeContext(_store, consumeContext, instance, mode);

    public Task<SagaConsumeContext<TaskInstanceSaga, TMessage>> Add(TaskInstanceSaga instance) =>
        throw new NotSupportedException("Task instance sagas are created by the scheduler loop, never by an event.");

    public Task<SagaConsumeContext<TaskInstanceSaga, TMessage>> Insert(TaskInstanceSaga instance) =>
        throw new NotSupportedException("Task instance sagas are created by the scheduler loop, never by an event.");

    public async Task<SagaConsumeContext<TaskInstanceSaga, TMessage>> Load(Guid correlationId)
    {
        var instance = await _batches.Loads.WriteAsync(correlationId).ConfigureAwait(false);
        if (instance is null)
        {
            return null!;
        }

        return await _factory.CreateSagaConsumeContext(_store, _consumeContext, new TaskInstanceSaga(instance), SagaConsumeContextMode.Load)
            .ConfigureAwait(false);
    }

    public Task Save(SagaConsumeContext<TaskInstanceSaga> context) =>
        throw new NotSupportedException("Task instance sagas are created by the scheduler loop, never by an event.");

    /// <summary>Applies the state machine's decision as one fenced transition. A closed fence means the instance moved past the reported attempt
    /// since it was loaded (the next attempt was claimed, or the instance finished): the report is stale, and on fresh state the decision would be
    /// to ignore it, so it changes nothing and is not processed again.</summary>
    public async Task Update(SagaConsumeContext<TaskInstanceSaga> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Saga.Outcome is not { } outcome)
        {
            return; // an ignored or stale event: nothing to write
        }

        using var span = SchedulerTracing.StartOutcome(outcome, context.Saga.Instance.DefinitionId);
        if (!await _batches.Outcomes.WriteAsync(outcome).ConfigureAwait(false))
        {
            span?.SetTag("scheduler.stale", true);
            _reporter.Stale(outcome);
            return;
        }

        await _reporter.AppliedAsync(outcome, context.Saga.Instance).ConfigureAwait(false);
    }

    public Task Delete(SagaConsumeContext<TaskInstanceSaga> context) => Update(context);

    public Task Discard(SagaConsumeContext<TaskInstanceSaga> context) => Task.CompletedTask;

    public Task Undo(SagaConsumeContext<TaskInstanceSaga> context) => Task.CompletedTask;
}

/// <summary>Counts the saga's outcomes once the store applied them (not when decided: a closed fence drops a stale one), and announces a dead
/// letter (<see cref="DeadLetterNotifier"/>: logged, counted, <see cref="Contracts.TaskDeadLettered"/> published).</summary>
internal sealed partial class SagaOutcomeReporter(SchedulerMetrics metrics, DeadLetterNotifier deadLetters, ILogger logger)
{
    public Task AppliedAsync(InstanceOutcome outcome, TaskInstance instance)
    {
        metrics.OutcomeApplied(outcome);
        return outcome.Kind == OutcomeKind.DeadLettered
            ? deadLetters.NotifyAsync(instance, outcome.Error ?? "", DeadLetterCause.Failed, outcome.RecordedAt)
            : Task.CompletedTask;
    }

    public void Stale(InstanceOutcome outcome) => LogStale(outcome.Kind, outcome.InstanceId, outcome.Attempt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Dropped a stale {Kind} report of task instance {InstanceId} attempt {Attempt}: the instance moved on meanwhile")]
    private partial void LogStale(OutcomeKind kind, Guid instanceId, int attempt);
}
