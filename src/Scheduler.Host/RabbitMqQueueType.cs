namespace Scheduler.Host;

/// <summary>The type of the RabbitMQ queues a node or worker declares.</summary>
public enum RabbitMqQueueType
{
    /// <summary>Classic queues: on one broker node; lost to consumers while that node is down.</summary>
    Classic,

    /// <summary>Quorum queues (RabbitMQ 3.8+): replicated to the cluster's nodes, available while a majority of them runs.</summary>
    Quorum,
}
