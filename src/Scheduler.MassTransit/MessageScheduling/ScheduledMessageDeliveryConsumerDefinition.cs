using MassTransit;
using Microsoft.Extensions.Options;
using Scheduler.Contracts;
using Scheduler.Core.Runtime;
using Scheduler.MassTransit.Worker;

namespace Scheduler.MassTransit.MessageScheduling;

/// <summary>
/// Endpoint of <see cref="ScheduledMessageDeliveryConsumer"/>: the cluster's <c>{cluster}-scheduled-messages</c> queue, bound to nothing (only
/// the node's dispatches are sent there, never a published <see cref="TaskDue"/>), with the task reporting filter, so each delivery reports
/// its outcome to the task instance saga as any worker's handler does.
/// </summary>
internal sealed class ScheduledMessageDeliveryConsumerDefinition : ConsumerDefinition<ScheduledMessageDeliveryConsumer>
{
    public ScheduledMessageDeliveryConsumerDefinition(IOptions<SchedulerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Endpoint(e =>
        {
            e.Name = new SchedulerEndpoints(options.Value.ClusterName).ScheduledMessages;
            e.ConfigureConsumeTopology = false;
        });
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<ScheduledMessageDeliveryConsumer> consumerConfigurator, IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);
        endpointConfigurator.UseConsumeFilter(typeof(TaskReportingFilter<>), context);
    }
}
