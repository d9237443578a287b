using MassTransit;
using Scheduler.Contracts;
using Scheduler.Core.Runtime;

namespace Scheduler.MassTransit.Node;

/// <summary>Dispatches <see cref="TaskDue"/> over MassTransit: published to every subscriber, or sent to the task's destination queue.</summary>
public sealed class MassTransitTaskDispatcher : ITaskDispatcher
{
    private readonly IBus _bus;
    private readonly IBusControl? _control;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Task<ISendEndpoint>> _queues = new(StringComparer.Ordinal);

    private readonly bool _quorumQueues;

    /// <summary>Creates the dispatcher.</summary>
    /// <param name="bus">The bus the node sends on.</param>
    public MassTransitTaskDispatcher(IBus bus)
        : this(bus, quorumQueues: false)
    {
    }

    /// <summary>Creates the dispatcher.</summary>
    /// <param name="bus">The bus the node sends on.</param>
    /// <param name="quorumQueues">Whether destination queues are RabbitMQ quorum queues (<see cref="SchedulerEndpoints.Address(string, bool)"/>).</param>
    public MassTransitTaskDispatcher(IBus bus, bool quorumQueues)
    {
        _bus = bus;
        _control = bus as IBusControl;
        _quorumQueues = quorumQueues;
    }

    /// <inheritdoc />
    /// <remarks>MassTransit's own view of its connection: healthy once its receive endpoints are connected to the broker again.</remarks>
    /// <exception cref="InvalidOperationException">The bus is not healthy (its description says why).</exception>
    public Task ProbeAsync(CancellationToken cancellationToken = default)
    {
        var health = _control?.CheckHealth();
        return health is null || health.Status == BusHealthStatus.Healthy
            ? Task.CompletedTask
            : Task.FromException(new InvalidOperationException($"The bus is {health.Status}: {health.Description}"));
    }

    /// <inheritdoc />
    public async Task DispatchAsync(TaskDue message, string? destinationQueue, CancellationToken cancellationToken = default)
    {
        if (destinationQueue is null)
        {
            await _bus.Publish(message, cancellationToken).ConfigureAwait(false);
            return;
        }

        // One endpoint per queue for the node's lifetime: a send is then a dictionary look-up, not a URI parse and a cache look-up in MassTransit.
        var pending = _queues.GetOrAdd(destinationQueue, queue => _bus.GetSendEndpoint(SchedulerEndpoints.Address(queue, _quorumQueues)));
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

        try
        {
            await endpoint.Send(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RefusalOf(ex) is { } refusal)
        {
            throw new DispatchRejectedException($"sending to queue '{destinationQueue}' was refused: {refusal}", ex);
        }
    }

    /// <summary>
    /// The broker's refusal of this one message, if <paramref name="exception"/> is one: an address the transport cannot parse, or a RabbitMQ
    /// channel error that names the destination or the message (ACCESS_REFUSED 403, NOT_FOUND 404, PRECONDITION_FAILED 406 — e.g. a queue
    /// declared with other arguments, a message over <c>max_message_size</c>). Connection errors, timeouts and unconfirmed publishes are not.
    /// </summary>
    private static string? RefusalOf(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            if (ex is UriFormatException or ArgumentException)
            {
                return ex.Message;
            }

            foreach (var code in (string[])["ACCESS_REFUSED", "NOT_FOUND", "PRECONDITION_FAILED"])
            {
                if (ex.Message.Contains(code, StringComparison.Ordinal))
                {
                    return ex.Message;
                }
            }
        }

        return null;
    }

    /// <inheritdoc />
    public Task PublishDeadLetteredAsync(TaskDeadLettered message, CancellationToken cancellationToken = default) =>
        _bus.Publish(message, cancellationToken);
}
