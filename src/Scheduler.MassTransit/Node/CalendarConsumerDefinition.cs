using MassTransit;
using Microsoft.Extensions.Options;
using Scheduler.Core.Runtime;

namespace Scheduler.MassTransit.Node;

/// <summary>Puts <see cref="CalendarConsumer"/> on the cluster's <c>{cluster}-task-control</c> queue, beside the task control commands.</summary>
public sealed class CalendarConsumerDefinition : ConsumerDefinition<CalendarConsumer>
{
    /// <summary>Creates the definition.</summary>
    public CalendarConsumerDefinition(IOptions<SchedulerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Endpoint(e => NodeEndpoint.Command(e, options.Value, q => q.TaskControl));
    }
}
