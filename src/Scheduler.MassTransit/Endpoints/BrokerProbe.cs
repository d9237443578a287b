using MassTransit;
using MassTransit.DependencyInjection;
using MassTransit.RabbitMqTransport;
using MassTransit.RabbitMqTransport.Configuration;
using MassTransit.Transports;

namespace Scheduler.MassTransit.Endpoints;

/// <summary>
/// Asks the broker whether it answers: on RabbitMQ, opens and closes a channel on the bus's own connection (no connection of its own; the
/// connection is made again if it was lost). A bus on another transport (in memory) always answers.
/// </summary>
internal sealed class BrokerProbe(IServiceProvider services)
{
    private readonly Lazy<IRabbitMqHostConfiguration?> _host = new(() => RabbitMqHost(services));

    /// <summary>The bus's RabbitMQ host configuration, or null when the bus runs on another transport.</summary>
    public static IRabbitMqHostConfiguration? RabbitMqHost(IServiceProvider services) =>
        (services.GetService(typeof(Bind<IBus, IBusInstance>)) as Bind<IBus, IBusInstance>)?.Value.HostConfiguration as IRabbitMqHostConfiguration;

    /// <summary>Completes when the broker answered; throws (whatever the client throws, or <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> ends the wait) when it did not.</summary>
    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        if (_host.Value is not { } host)
        {
            return;
        }

        await host.ConnectionContextSupervisor.Send(Pipe.ExecuteAsync<ConnectionContext>(async connection =>
        {
            var channel = await connection.CreateChannel(null, cancellationToken).ConfigureAwait(false);
            await channel.DisposeAsync().ConfigureAwait(false);
        }), cancellationToken).ConfigureAwait(false);
    }
}
