using MassTransit;
using Scheduler.Contracts;
using Scheduler.Core.Runtime;

namespace Scheduler.MassTransit.Node;

/// <summary>Dispatches <see cref="TaskDue"/> over MassTransit: published to every subscriber, or sent to the task's destination queue.</summary>
public sealed class MassTransitTaskDispatcher : ITaskDispatcher
{
    private readonly IBus _bus;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Task<ISendEndpoint>> _queues = new(StringComparer.Ordinal);

    /// <summary>Creates the dispatcher.</summary>
    public MassTransitTaskDispatcher(IBus bus) => _bus = bus;

    /// <inheritdoc />
    public async Task DispatchAsync(TaskDue message, string? destinationQueue, CancellationToken cancellationToken = default)
    {
        if (destinationQueue is null)
        {
            await _bus.Publish(message, cancellationToken).ConfigureAwait(false);
            return;
        }

        // One endpoint per queue for the node's lifetime: a send is then a dictionary look-up, not a URI parse and a cache look-up in MassTransit.
        var pending = _queues.GetOrAdd(destinationQueue, queue => _bus.GetSendEndpoint(new Uri($"queue:{queue}")));
        ISendEndpoint endpoint;
        try
        {
            endpoint = await pending.ConfigureAwait(false);
        }
        catch
        {
            _queues.TryRemove(KeyValuePair.Create(destinationQueue, pending)); // not cached: the next dispatch asks again
            throw;
        }

        await endpoint.Send(message, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task PublishDeadLetteredAsync(TaskDeadLettered message, CancellationToken cancellationToken = default) =>
        _bus.Publish(message, cancellationToken);
}
