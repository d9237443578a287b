using MassTransit;
using Microsoft.Extensions.Options;
using Scheduler.Core.Runtime;

namespace Scheduler.MassTransit.Node;

/// <summary>Endpoint settings of <see cref="ScheduleTasksConsumer"/>: transient store errors are retried before the command goes to the error queue.</summary>
public sealed class ScheduleTasksConsumerDefinition : ConsumerDefinition<ScheduleTasksConsumer>
{
    /// <summary>Creates the definition: the cluster's <c>{cluster}-schedule-tasks</c> queue.</summary>
    public ScheduleTasksConsumerDefinition(IOptions<SchedulerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Endpoint(e => NodeEndpoint.Command(e, options.Value, q => q.ScheduleTasks));
    }

    /// <inheritdoc />
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<ScheduleTasksConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);
        endpointConfigurator.UseMessageRetry(r => r.Intervals(50, 200, 1000, 5000));
        // A bulk command is large: a few in flight keep the node busy without holding thousands of tasks in memory.
        endpointConfigurator.PrefetchCount = Math.Min(endpointConfigurator.PrefetchCount, 4);
        endpointConfigurator.UseInMemoryOutbox(context);
    }
}
