using MassTransit;
using Scheduler.Contracts;
using Scheduler.Core.Runtime;

namespace Scheduler.MassTransit.Node;

/// <summary>
/// Names a node's receive endpoint after its cluster (<see cref="SchedulerOptions.ClusterName"/>, <see cref="SchedulerEndpoints"/>), whatever
/// endpoint name formatter the application uses: every node of a cluster, embedded or Scheduler.Host, must consume from the same queues.
/// </summary>
internal static class NodeEndpoint
{
    /// <summary>
    /// A command queue: named <paramref name="queue"/> of the node's cluster, and bound to the published command type only in the default
    /// cluster (as before cluster names), so a published command never reaches the nodes of two clusters.
    /// </summary>
    public static void Command(IEndpointRegistrationConfigurator endpoint, SchedulerOptions options, Func<SchedulerEndpoints, string> queue)
    {
        var endpoints = new SchedulerEndpoints(options.ClusterName);
        endpoint.Name = queue(endpoints);
        endpoint.ConfigureConsumeTopology = endpoints.IsDefault;
    }
}
