using MassTransit;

namespace Scheduler.MassTransit.Saga;

/// <summary>
/// Endpoint settings of the task instance saga: a failed event — a lost optimistic-concurrency race or a transient store error — is
/// processed again on fresh state, and the events the saga publishes go out only after its state is saved (in-memory outbox).
/// </summary>
public sealed class TaskInstanceSagaDefinition : SagaDefinition<TaskInstanceSaga>
{
    /// <inheritdoc />
    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<TaskInstanceSaga> sagaConfigurator,
        IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);
        endpointConfigurator.UseMessageRetry(r => r.Intervals(5, 10, 25, 50, 100, 250, 500, 1000, 2000, 5000));
        endpointConfigurator.UseInMemoryOutbox(context);
    }
}
