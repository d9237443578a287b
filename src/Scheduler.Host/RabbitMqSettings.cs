namespace Scheduler.Host;

/// <summary>The <c>Transport:RabbitMq</c> configuration section.</summary>
public sealed class RabbitMqSettings
{
    /// <summary>The broker, e.g. <c>amqp://guest:guest@127.0.0.1:5672/</c> (user, password and virtual host in the URI).</summary>
    public Uri Uri { get; set; } = new("amqp://guest:guest@127.0.0.1:5672/");

    /// <summary>Messages each receive endpoint fetches ahead. <value>Default 64.</value></summary>
    public int PrefetchCount { get; set; } = 64;

    /// <summary>
    /// The nodes of a RabbitMQ cluster, <c>host</c> or <c>host:port</c> each (e.g. <c>rabbit-1:5672</c>): every connection, and every
    /// reconnection after a node is lost, tries them in this order (MassTransit's cluster support), so the node fails over to a surviving
    /// broker node by itself. User, password and virtual host still come from <see cref="Uri"/>, whose host is then not contacted.
    /// <value>Default none: the host of <see cref="Uri"/> only.</value>
    /// </summary>
    public string[] ClusterNodes { get; set; } = [];

    /// <summary>
    /// The type of the queues the node declares (its command, saga and message scheduler queues). <value>Default
    /// <see cref="RabbitMqQueueType.Classic"/>.</value>
    /// </summary>
    /// <remarks>
    /// Quorum queues are replicated to the cluster's nodes (Raft) and keep working while a majority of them runs: the right type on a
    /// RabbitMQ cluster. Classic stays the default because a queue's type is fixed when it is first declared: a node declaring an existing
    /// classic queue as quorum (or the reverse) is refused by the broker, so switching an existing deployment needs its queues deleted or a
    /// new virtual host (docs/running.md, "A RabbitMQ cluster"); and on a single broker node quorum queues only add latency.
    /// </remarks>
    public RabbitMqQueueType QueueType { get; set; } = RabbitMqQueueType.Classic;
}
