using MassTransit;
using MassTransit.Context;
using MassTransit.Saga;
using Scheduler.Core.Runtime;
using Scheduler.Core.Storage;

namespace Scheduler.MassTransit.Saga;

internal sealed class TaskStoreSagaRepositoryContext<TMessage> : ConsumeContextScope<TMessage>, SagaRepositoryContext<TaskInstanceSaga, TMessage>
    where TMessage : class
{
    private readonly IOutcomeStore _store;
    private readonly TaskInstanceSagaBatches _batches;
    private readonly ConsumeContext<TMessage> _consumeContext;
    private readonly ISagaConsumeContextFactory<IOutcomeStore, TaskInstanceSaga> _factory;
    private readonly SagaOutcomeReporter _reporter;

    public TaskStoreSagaRepositoryContext(IOutcomeStore store, TaskInstanceSagaBatches batches, ConsumeContext<TMessage> consumeContext,
        ISagaConsumeContextFactory<IOutcomeStore, TaskInstanceSaga> factory, SagaOutcomeReporter reporter)
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
