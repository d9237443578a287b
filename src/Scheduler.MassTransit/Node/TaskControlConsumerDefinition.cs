using MassTransit;
using Microsoft.Extensions.Options;
using Scheduler.Core.Runtime;

namespace Scheduler.MassTransit.Node;

/// <summary>Puts <see cref="TaskControlConsumer"/> on the cluster's <c>{cluster}-task-control</c> queue.</summary>
public sealed class TaskControlConsumerDefinition : ConsumerDefinition<TaskControlConsumer>
{
    /// <summary>Creates the definition.</summary>
    public TaskControlConsumerDefinition(IOptions<SchedulerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Endpoint(e => NodeEndpoint.Command(e, options.Value, q => q.TaskControl));
    }
}
