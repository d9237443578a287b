namespace Scheduler.Core.Runtime;

/// <summary>Asks the broker how many consumers a destination queue has (RabbitMQ: a passive declare). The bus integration provides it for
/// transports that can tell; without one the node watches no destination.</summary>
internal interface IDestinationProbe
{
    /// <summary>Whether this probe works on the bus the node runs (e.g. only on RabbitMQ).</summary>
    bool Applies { get; }

    /// <summary>The number of consumers of <paramref name="queue"/> now: 0 when it has none, or does not exist.</summary>
    /// <exception cref="Exception">The broker could not be asked (it is away): the caller keeps what it knew.</exception>
    Task<int> CountConsumersAsync(string queue, CancellationToken cancellationToken);
}
