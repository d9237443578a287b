using MassTransit;

namespace Scheduler.MassTransit.Saga;

/// <summary>
/// Endpoint settings of the task instance saga: lost optimistic-concurrency races are retried on fresh state, and the events the saga
/// publishes go out only after its state is saved (in-memory outbox).
/// </summary>
public sealed class TaskInstanceSagaDefinition : SagaDefinition<TaskInstanceSaga>
{
    /// <inheritdoc />
    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<TaskInstanceSaga> sagaConfigurator,
        IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);
        endpointConfigurator.UseMessageRetry(r =>
        {
            r.Handle<ConcurrencyException>();
            r.Intervals(5, 10, 25, 50, 100, 250, 500, 1000, 1000, 1000);
        });
        endpointConfigurator.UseInMemoryOutbox(context);
    }
}
