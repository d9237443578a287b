using MassTransit;
using MassTransit.Context;
using MassTransit.Saga;
using Microsoft.Extensions.Logging;
using Scheduler.Core.Definitions;
using Scheduler.Core.Runtime;
using Scheduler.Core.Storage;

namespace Scheduler.MassTransit.Saga;

/// <summary>
/// Persists the task instance saga in the <see cref="ITaskStore"/>, on MassTransit's repository seams (<see cref="ISagaRepositoryContextFactory{TSaga}"/>
/// with <see cref="SagaConsumeContextFactory{TContext,TSaga}"/>): the saga state is the task instance row, loaded by id (batched with the
/// loads of concurrent events) and changed only through the state machine's <see cref="TaskInstanceSaga.Outcome"/>, applied by the store as a
/// fenced transition (batched likewise). A closed fence throws <see cref="ConcurrencyException"/>, which the saga endpoint's retry handles by
/// running the event again on fresh state. Each applied outcome is counted (<see cref="SchedulerMetrics.OutcomeApplied"/>); a dead letter is
/// logged.
/// </summary>
internal sealed class TaskStoreSagaRepositoryContextFactory : ISagaRepositoryContextFactory<TaskInstanceSaga>
{
    private readonly TaskInstanceSagaBatches _batches;
    private readonly ITaskStore _store;
    private readonly ISagaConsumeContextFactory<ITaskStore, TaskInstanceSaga> _factory;
    private readonly SagaOutcomeReporter _reporter;

    public TaskStoreSagaRepositoryContextFactory(ITaskStore store, TaskInstanceSagaBatches batches,
        ISagaConsumeContextFactory<ITaskStore, TaskInstanceSaga> factory, SchedulerMetrics metrics, ILogger<TaskStoreSagaRepositoryContextFactory> logger)
    {
        _store = store;
        _batches = batches;
        _factory = factory;
        _reporter = new SagaOutcomeReporter(metrics, logger);
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

    /// <summary>Applies the state machine's decision as one fenced transition; a closed fence means the row changed since it was loaded, so the
    /// event is processed again on fresh state (the saga endpoint's retry).</summary>
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
            span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, "The instance changed meanwhile; the event is processed again.");
            throw new ConcurrencyException("The task instance changed while the event was processed; it is processed again on fresh state.",
                typeof(TaskInstanceSaga), outcome.InstanceId);
        }

        _reporter.Applied(outcome, context.Saga.Instance.DefinitionId);
    }

    public Task Delete(SagaConsumeContext<TaskInstanceSaga> context) => Update(context);

    public Task Discard(SagaConsumeContext<TaskInstanceSaga> context) => Task.CompletedTask;

    public Task Undo(SagaConsumeContext<TaskInstanceSaga> context) => Task.CompletedTask;
}

/// <summary>Counts and logs the saga's outcomes once the store applied them (not when decided: a closed fence runs the event again).</summary>
internal sealed partial class SagaOutcomeReporter(SchedulerMetrics metrics, ILogger logger)
{
    public void Applied(InstanceOutcome outcome, Guid taskId)
    {
        metrics.OutcomeApplied(outcome);
        if (outcome.Kind == OutcomeKind.DeadLettered)
        {
            LogDeadLettered(outcome.InstanceId, taskId, outcome.Attempt, outcome.Error);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task instance {InstanceId} of task {TaskId} dead-lettered: its last attempt {Attempt} failed: {Error}")]
    private partial void LogDeadLettered(Guid instanceId, Guid taskId, int attempt, string? error);
}
