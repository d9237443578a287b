using MassTransit;
using Microsoft.Extensions.Options;
using Scheduler.Core.Runtime;

namespace Scheduler.MassTransit.Node;

/// <summary>Endpoint of <see cref="CancelTaskConsumer"/>: the cluster's <c>{cluster}-cancel-task</c> queue.</summary>
public sealed class CancelTaskConsumerDefinition : ConsumerDefinition<CancelTaskConsumer>
{
    /// <summary>Creates the definition.</summary>
    public CancelTaskConsumerDefinition(IOptions<SchedulerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Endpoint(e => NodeEndpoint.Command(e, options.Value, q => q.CancelTask));
    }
}
