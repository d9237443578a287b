using MassTransit;
using MassTransit.Context;
using MassTransit.Saga;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;

namespace Scheduler.MassTransit.Saga;

/// <summary>
/// Persists the task instance saga in the <see cref="ITaskStore"/>, on MassTransit's repository seams (<see cref="ISagaRepositoryContextFactory{TSaga}"/>
/// with <see cref="SagaConsumeContextFactory{TContext,TSaga}"/>): the saga state is the task instance row, loaded by id and written back with
/// an optimistic check on its version column. A lost race throws <see cref="ConcurrencyException"/>, which the saga endpoint's retry handles by
/// running the event again on fresh state.
/// </summary>
internal sealed class TaskStoreSagaRepositoryContextFactory : ISagaRepositoryContextFactory<TaskInstanceSaga>
{
    private readonly ITaskStore _store;
    private readonly ISagaConsumeContextFactory<ITaskStore, TaskInstanceSaga> _factory;

    public TaskStoreSagaRepositoryContextFactory(ITaskStore store, ISagaConsumeContextFactory<ITaskStore, TaskInstanceSaga> factory)
    {
        _store = store;
        _factory = factory;
    }

    public void Probe(ProbeContext context) => context.Add("persistence", "scheduler-task-store");

    public Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TaskInstanceSaga, T>> next)
        where T : class =>
        next.Send(new TaskStoreSagaRepositoryContext<T>(_store, context, _factory));

    public Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TaskInstanceSaga> query, IPipe<SagaRepositoryQueryContext<TaskInstanceSaga, T>> next)
        where T : class =>
        throw new NotSupportedException("The task instance saga is correlated by instance id only; query correlation is not supported.");
}

internal sealed class TaskStoreSagaRepositoryContext<TMessage> : ConsumeContextScope<TMessage>, SagaRepositoryContext<TaskInstanceSaga, TMessage>
    where TMessage : class
{
    private readonly ITaskStore _store;
    private readonly ConsumeContext<TMessage> _consumeContext;
    private readonly ISagaConsumeContextFactory<ITaskStore, TaskInstanceSaga> _factory;
    private TaskInstance? _loaded;

    public TaskStoreSagaRepositoryContext(ITaskStore store, ConsumeContext<TMessage> consumeContext,
        ISagaConsumeContextFactory<ITaskStore, TaskInstanceSaga> factory)
        : base(consumeContext, store)
    {
        _store = store;
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
        var instance = await _store.GetInstanceAsync(correlationId, CancellationToken).ConfigureAwait(false);
        if (instance is null)
        {
            return null!;
        }

        _loaded = instance.Clone();
        return await _factory.CreateSagaConsumeContext(_store, _consumeContext, new TaskInstanceSaga(instance), SagaConsumeContextMode.Load)
            .ConfigureAwait(false);
    }

    public Task Save(SagaConsumeContext<TaskInstanceSaga> context) =>
        throw new NotSupportedException("Task instance sagas are created by the scheduler loop, never by an event.");

    public async Task Update(SagaConsumeContext<TaskInstanceSaga> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var instance = context.Saga.ToInstance();
        if (_loaded is not null && SameState(_loaded, instance))
        {
            return; // an ignored or stale event: nothing to write
        }

        if (await _store.TryUpdateInstanceAsync(instance, CancellationToken).ConfigureAwait(false))
        {
            return;
        }

        // Most often the runner recorded the dispatch of this very attempt after the event's instance was loaded (the worker answered
        // before the record was written). The outcome supersedes that record, so it is applied on top of it rather than re-processed.
        var fresh = await _store.GetInstanceAsync(instance.Id, CancellationToken).ConfigureAwait(false);
        if (_loaded is null || fresh is null || MergeOverDispatchRecord(_loaded, instance, fresh) is not { } merged
            || !await _store.TryUpdateInstanceAsync(merged, CancellationToken).ConfigureAwait(false))
        {
            throw new ConcurrencyException("The task instance changed while the event was processed; it is processed again on fresh state.",
                typeof(TaskInstanceSaga), instance.Id);
        }
    }

    /// <summary>
    /// The saga's result re-applied to <paramref name="fresh"/>, when <paramref name="fresh"/> differs from <paramref name="loaded"/> only by the
    /// runner's record of the same attempt's dispatch (Scheduled and claimed → Dispatched, claim cleared); otherwise <see langword="null"/>.
    /// The state machine treats Scheduled and Dispatched alike, so its decision holds for the fresh row: outcome fields are taken from the saga,
    /// and when the saga made a transition (its status or due time changed) its status, due time and claim replace the record's.
    /// </summary>
    internal static TaskInstance? MergeOverDispatchRecord(TaskInstance loaded, TaskInstance saga, TaskInstance fresh)
    {
        var isDispatchRecord = loaded.Status == TaskInstanceStatus.Scheduled && loaded.LeaseOwner is not null
            && fresh.Status == TaskInstanceStatus.Dispatched && fresh.LeaseOwner is null && fresh.Attempt == loaded.Attempt
            && fresh.StartedAt == loaded.StartedAt && fresh.CompletedAt == loaded.CompletedAt && fresh.LastError == loaded.LastError;
        if (!isDispatchRecord)
        {
            return null;
        }

        var merged = fresh.Clone();
        merged.StartedAt = saga.StartedAt;
        merged.CompletedAt = saga.CompletedAt;
        merged.FailedAt = saga.FailedAt;
        merged.FinishedAt = saga.FinishedAt;
        merged.LastError = saga.LastError;
        if (saga.Status != loaded.Status || saga.DueAt != loaded.DueAt)
        {
            merged.Status = saga.Status;
            merged.DueAt = saga.DueAt;
            merged.LeaseOwner = saga.LeaseOwner;
            merged.LeaseExpiresAt = saga.LeaseExpiresAt;
        }

        return merged;
    }

    public Task Delete(SagaConsumeContext<TaskInstanceSaga> context) => Update(context);

    public Task Discard(SagaConsumeContext<TaskInstanceSaga> context) => Task.CompletedTask;

    public Task Undo(SagaConsumeContext<TaskInstanceSaga> context) => Task.CompletedTask;

    private static bool SameState(TaskInstance a, TaskInstance b) =>
        a.Status == b.Status && a.Attempt == b.Attempt && a.DueAt == b.DueAt && a.StartedAt == b.StartedAt && a.CompletedAt == b.CompletedAt
        && a.FailedAt == b.FailedAt && a.FinishedAt == b.FinishedAt && a.LastError == b.LastError && a.LeaseOwner == b.LeaseOwner
        && a.LeaseExpiresAt == b.LeaseExpiresAt;
}
