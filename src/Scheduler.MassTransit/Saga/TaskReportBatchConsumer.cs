using MassTransit;
using MassTransit.Context;
using MassTransit.Saga;
using Scheduler.Contracts;
using Scheduler.Core.Storage;

namespace Scheduler.MassTransit.Saga;

/// <summary>
/// Takes a worker's <see cref="TaskReportBatch"/> through the task instance saga: each report is decided by <see cref="TaskInstanceStateMachine"/>
/// exactly as the same report sent alone would be (the same events, states and fences), and the decisions are applied together — the rows
/// loaded in one query and the outcomes written in one transaction (<see cref="TaskInstanceSagaBatches"/>, shared with the single reports
/// processed at the same moment). A report of an instance the store does not have is discarded, as alone.
/// </summary>
/// <remarks>A batch that fails on a store error is processed again whole (the saga endpoint's retry): the reports already applied are then
/// stale or change nothing (a heartbeat moves the expiry forward again; an outcome finds its attempt finished).</remarks>
internal sealed class TaskReportBatchConsumer : IConsumer<TaskReportBatch>
{
    private readonly TaskInstanceStateMachine _machine;
    private readonly StateMachine<TaskInstanceSaga> _raise;
    private readonly TaskInstanceSagaBatches _batches;
    private readonly IOutcomeStore _store;
    private readonly ISagaConsumeContextFactory<IOutcomeStore, TaskInstanceSaga> _factory;

    public TaskReportBatchConsumer(TaskInstanceStateMachine machine, TaskInstanceSagaBatches batches, IOutcomeStore store,
        ISagaConsumeContextFactory<IOutcomeStore, TaskInstanceSaga> factory)
    {
        _machine = machine;
        _raise = machine;
        _batches = batches;
        _store = store;
        _factory = factory;
    }

    /// <inheritdoc />
    public Task Consume(ConsumeContext<TaskReportBatch> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var batch = context.Message;
        return Task.WhenAll(
            batch.Started.Select(r => DecideAndApplyAsync(context, r, r.InstanceId, _machine.StartReported))
                .Concat(batch.Heartbeats.Select(r => DecideAndApplyAsync(context, r, r.InstanceId, _machine.HeartbeatReported)))
                .Concat(batch.Completed.Select(r => DecideAndApplyAsync(context, r, r.InstanceId, _machine.CompletionReported)))
                .Concat(batch.Failed.Select(r => DecideAndApplyAsync(context, r, r.InstanceId, _machine.FailureReported))));
    }

    private async Task DecideAndApplyAsync<T>(ConsumeContext context, T report, Guid instanceId, Event<T> reported)
        where T : class
    {
        var instance = await _batches.Loads.WriteAsync(instanceId).ConfigureAwait(false);
        if (instance is null)
        {
            return; // not this cluster's instance, or deleted: discarded, as a single report would be
        }

        var saga = new TaskInstanceSaga(instance);
        var sagaContext = await _factory.CreateSagaConsumeContext(_store, new MessageConsumeContext<T>(context, report), saga,
            SagaConsumeContextMode.Load).ConfigureAwait(false);
        await _raise.RaiseEvent(new MassTransitStateMachine<TaskInstanceSaga>.BehaviorContextProxy<T>(_machine, sagaContext, sagaContext, reported))
            .ConfigureAwait(false);
        await _batches.ApplyAsync(saga).ConfigureAwait(false);
    }
}
