using MassTransit;
using MassTransit.Context;
using MassTransit.Saga;
using Scheduler.Core.Storage;

namespace Scheduler.MassTransit.Saga;

internal sealed class TaskStoreSagaRepositoryContext<TMessage> : ConsumeContextScope<TMessage>, SagaRepositoryContext<TaskInstanceSaga, TMessage>
    where TMessage : class
{
    private readonly IOutcomeStore _store;
    private readonly TaskInstanceSagaBatches _batches;
    private readonly ConsumeContext<TMessage> _consumeContext;
    private readonly ISagaConsumeContextFactory<IOutcomeStore, TaskInstanceSaga> _factory;

    public TaskStoreSagaRepositoryContext(IOutcomeStore store, TaskInstanceSagaBatches batches, ConsumeContext<TMessage> consumeContext,
        ISagaConsumeContextFactory<IOutcomeStore, TaskInstanceSaga> factory)
        : base(consumeContext, store)
    {
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

    /// <summary>Applies the state machine's decision (<see cref="TaskInstanceSagaBatches.ApplyAsync"/>).</summary>
    public Task Update(SagaConsumeContext<TaskInstanceSaga> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return _batches.ApplyAsync(context.Saga);
    }

    public Task Delete(SagaConsumeContext<TaskInstanceSaga> context) => Update(context);

    public Task Discard(SagaConsumeContext<TaskInstanceSaga> context) => Task.CompletedTask;

    public Task Undo(SagaConsumeContext<TaskInstanceSaga> context) => Task.CompletedTask;
}
