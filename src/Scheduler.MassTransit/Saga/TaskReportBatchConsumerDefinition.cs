using MassTransit;
using Microsoft.Extensions.Options;
using Scheduler.Contracts;
using Scheduler.Core.Runtime;

namespace Scheduler.MassTransit.Saga;

/// <summary>Puts <see cref="TaskReportBatchConsumer"/> on the task instance saga's queue (<c>{cluster}-task-instance</c>), beside the single
/// reports, with the saga endpoint's settings (<see cref="TaskInstanceSagaDefinition"/>).</summary>
internal sealed class TaskReportBatchConsumerDefinition : ConsumerDefinition<TaskReportBatchConsumer>
{
    /// <summary>Creates the definition.</summary>
    public TaskReportBatchConsumerDefinition(IOptions<SchedulerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Endpoint(e => e.Name = new SchedulerEndpoints(options.Value.ClusterName).TaskInstanceSaga);
    }
}
