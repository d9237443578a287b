using Scheduler.Contracts;

namespace Scheduler.MassTransit.Client;

/// <summary>Settings of <see cref="MassTransitSchedulerClient"/>.</summary>
public sealed class SchedulerClientOptions
{
    /// <summary>How long a call waits for a node's reply before it throws MassTransit's <c>RequestTimeoutException</c>.
    /// <value>Default 30 seconds.</value></summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The cluster whose nodes the client talks to (their <c>Scheduler:ClusterName</c>). <value>Default <c>scheduler</c>.</value></summary>
    public string ClusterName { get; set; } = SchedulerEndpoints.DefaultClusterName;

    /// <summary>
    /// Whether the nodes' queues are RabbitMQ quorum queues (nodes with <c>Transport:RabbitMq:QueueType=Quorum</c>): the client then sends
    /// to their exchanges rather than declaring them (<see cref="SchedulerEndpoints.Address(string, bool)"/>), as RabbitMQ 3.x requires.
    /// <value>Default <see langword="false"/>.</value>
    /// </summary>
    public bool QuorumQueues { get; set; }
}
