using MassTransit;
using Scheduler.Contracts;
using Scheduler.Core.Runtime;

namespace Scheduler.MassTransit.Node;

/// <summary>Dispatches <see cref="TaskDue"/> over MassTransit: published to every subscriber, or sent to the task's destination queue.</summary>
public sealed class MassTransitTaskDispatcher : ITaskDispatcher
{
    private readonly IBus _bus;

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

        var endpoint = await _bus.GetSendEndpoint(new Uri($"queue:{destinationQueue}")).ConfigureAwait(false);
        await endpoint.Send(message, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task PublishDeadLetteredAsync(TaskDeadLettered message, CancellationToken cancellationToken = default) =>
        _bus.Publish(message, cancellationToken);
}
