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

        if (!await _store.TryUpdateInstanceAsync(instance, CancellationToken).ConfigureAwait(false))
        {
            throw new ConcurrencyException("The task instance changed while the event was processed; it is processed again on fresh state.",
                typeof(TaskInstanceSaga), instance.Id);
        }
    }

    public Task Delete(SagaConsumeContext<TaskInstanceSaga> context) => Update(context);

    public Task Discard(SagaConsumeContext<TaskInstanceSaga> context) => Task.CompletedTask;

    public Task Undo(SagaConsumeContext<TaskInstanceSaga> context) => Task.CompletedTask;

    private static bool SameState(TaskInstance a, TaskInstance b) =>
        a.Status == b.Status && a.Attempt == b.Attempt && a.DueAt == b.DueAt && a.StartedAt == b.StartedAt && a.CompletedAt == b.CompletedAt
        && a.FailedAt == b.FailedAt && a.FinishedAt == b.FinishedAt && a.LastError == b.LastError && a.LeaseOwner == b.LeaseOwner
        && a.LeaseExpiresAt == b.LeaseExpiresAt;
}
