using MassTransit;
using MassTransit.Saga;
using Scheduler.Core.Runtime;
using Scheduler.Core.Storage;

namespace Scheduler.MassTransit.Saga;

/// <summary>
/// Persists the task instance saga in the <see cref="IOutcomeStore"/>, on MassTransit's repository seams (<see cref="ISagaRepositoryContextFactory{TSaga}"/>
/// with <see cref="SagaConsumeContextFactory{TContext,TSaga}"/>): the saga state is the task instance row, loaded by id (batched with the
/// loads of concurrent events) and changed only through the state machine's <see cref="TaskInstanceSaga.Outcome"/>, applied by the store as a
/// fenced transition (batched likewise). A closed fence drops the report as stale. Each applied outcome is counted
/// (<see cref="SchedulerMetrics.OutcomeApplied"/>); a dead letter is announced (<see cref="DeadLetterNotifier"/>).
/// </summary>
internal sealed class TaskStoreSagaRepositoryContextFactory : ISagaRepositoryContextFactory<TaskInstanceSaga>
{
    private readonly TaskInstanceSagaBatches _batches;
    private readonly IOutcomeStore _store;
    private readonly ISagaConsumeContextFactory<IOutcomeStore, TaskInstanceSaga> _factory;

    public TaskStoreSagaRepositoryContextFactory(IOutcomeStore store, TaskInstanceSagaBatches batches,
        ISagaConsumeContextFactory<IOutcomeStore, TaskInstanceSaga> factory)
    {
        _store = store;
        _batches = batches;
        _factory = factory;
    }

    public void Probe(ProbeContext context) => context.Add("persistence", "scheduler-task-store");

    public Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TaskInstanceSaga, T>> next)
        where T : class =>
        next.Send(new TaskStoreSagaRepositoryContext<T>(_store, _batches, context, _factory));

    public Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TaskInstanceSaga> query, IPipe<SagaRepositoryQueryContext<TaskInstanceSaga, T>> next)
        where T : class =>
        throw new NotSupportedException("The task instance saga is correlated by instance id only; query correlation is not supported.");
}
