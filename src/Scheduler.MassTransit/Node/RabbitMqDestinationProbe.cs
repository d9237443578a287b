using MassTransit;
using MassTransit.RabbitMqTransport;
using MassTransit.RabbitMqTransport.Configuration;
using RabbitMQ.Client.Exceptions;
using Scheduler.Core.Runtime;

namespace Scheduler.MassTransit.Node;

/// <summary>
/// Counts a destination queue's consumers on RabbitMQ with a passive declare, on a short-lived channel of the bus's own connection (no
/// connection of its own, the application's host settings as they are). A queue that does not exist has none.
/// </summary>
internal sealed class RabbitMqDestinationProbe(IServiceProvider services) : IDestinationProbe
{
    private readonly Lazy<IRabbitMqHostConfiguration?> _host = new(() => Endpoints.BrokerProbe.RabbitMqHost(services));

    public bool Applies => _host.Value is not null;

    public async Task<int> CountConsumersAsync(string queue, CancellationToken cancellationToken)
    {
        var host = _host.Value ?? throw new NotSupportedException("The bus does not run on RabbitMQ.");
        var consumers = 0;
        await host.ConnectionContextSupervisor.Send(Pipe.ExecuteAsync<ConnectionContext>(async connection =>
        {
            var channel = await connection.CreateChannel(null, cancellationToken).ConfigureAwait(false);
            try
            {
                consumers = (int)(await channel.QueueDeclarePassiveAsync(queue, cancellationToken).ConfigureAwait(false)).ConsumerCount;
            }
            catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
            {
                consumers = 0; // no such queue: nobody consumes it (a send would create it)
            }
            finally
            {
                await channel.DisposeAsync().ConfigureAwait(false);
            }
        }), cancellationToken).ConfigureAwait(false);
        return consumers;
    }
}
