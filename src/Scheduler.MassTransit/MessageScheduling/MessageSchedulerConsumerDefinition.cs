using MassTransit;
using Microsoft.Extensions.Options;
using Scheduler.Core.Runtime;

namespace Scheduler.MassTransit.MessageScheduling;

/// <summary>Endpoint of <see cref="MessageSchedulerConsumer"/>: the cluster's <c>{cluster}-message-scheduler</c> queue; transient store errors are
/// retried before a command goes to the error queue.</summary>
internal sealed class MessageSchedulerConsumerDefinition : ConsumerDefinition<MessageSchedulerConsumer>
{
    public MessageSchedulerConsumerDefinition(IOptions<SchedulerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Endpoint(e => Node.NodeEndpoint.Command(e, options.Value, q => q.MessageScheduler));
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<MessageSchedulerConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);
        endpointConfigurator.UseMessageRetry(r => r.Intervals(50, 200, 1000, 5000));
    }
}
