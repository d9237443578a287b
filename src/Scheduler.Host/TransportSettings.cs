namespace Scheduler.Host;

/// <summary>The <c>Transport</c> configuration section.</summary>
public sealed class TransportSettings
{
    /// <summary>The transport. <value>Default <see cref="TransportKind.RabbitMq"/>.</value></summary>
    public TransportKind Kind { get; set; } = TransportKind.RabbitMq;

    /// <summary>RabbitMQ settings, used when <see cref="Kind"/> is <see cref="TransportKind.RabbitMq"/>.</summary>
    public RabbitMqSettings RabbitMq { get; set; } = new();
}
