namespace Scheduler.Host;

/// <summary>Which message transport the node uses.</summary>
public enum TransportKind
{
    /// <summary>MassTransit's in-memory transport: one process only (tests, demos).</summary>
    InMemory,

    /// <summary>RabbitMQ.</summary>
    RabbitMq,
}
