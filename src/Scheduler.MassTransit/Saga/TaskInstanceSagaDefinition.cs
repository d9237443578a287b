using MassTransit;
using Microsoft.Extensions.Options;
using Scheduler.Contracts;
using Scheduler.Core.Runtime;

namespace Scheduler.MassTransit.Saga;

/// <summary>
/// Endpoint settings of the task instance saga: up to <see cref="ConcurrentEvents"/> events are processed at once, so their loads and saves
/// share round trips (group commit); an event that failed on a transient store error is processed again on fresh state. A stale report (a
/// closed fence) is not an error: it is dropped.
/// </summary>
public sealed class TaskInstanceSagaDefinition : SagaDefinition<TaskInstanceSaga>
{
    /// <summary>How many worker reports the saga endpoint processes at once (and its broker prefetch): 256.</summary>
    public const int ConcurrentEvents = 256;

    /// <summary>Creates the definition: the cluster's <c>{cluster}-task-instance</c> queue, bound to the published outcome events (workers
    /// publish them; a cluster's saga discards the outcomes of instances its database does not have).</summary>
    public TaskInstanceSagaDefinition(IOptions<SchedulerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Endpoint(e => e.Name = new SchedulerEndpoints(options.Value.ClusterName).TaskInstanceSaga);
    }

    /// <inheritdoc />
    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<TaskInstanceSaga> sagaConfigurator,
        IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);
        endpointConfigurator.PrefetchCount = ConcurrentEvents;
        endpointConfigurator.ConcurrentMessageLimit = ConcurrentEvents;
        endpointConfigurator.UseMessageRetry(r => r.Intervals(5, 10, 25, 50, 100, 250, 500, 1000, 2000, 5000));
    }
}
