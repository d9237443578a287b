using MassTransit;
using Scheduler.Contracts;
using Scheduler.Core.Runtime;

namespace Scheduler.MassTransit.Node;

/// <summary>Dispatches <see cref="TaskDue"/> over MassTransit: published to every subscriber, or sent to the task's destination queue, with the
/// message id of its attempt and a time to live until its <see cref="TaskDue.StartBy"/>.</summary>
public sealed class MassTransitTaskDispatcher : ITaskDispatcher
{
    private readonly IBus _bus;
    private readonly TimeProvider _timeProvider;
    private readonly IBusControl? _control;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Task<ISendEndpoint>> _queues = new(StringComparer.Ordinal);

    private readonly bool _quorumQueues;
    private readonly DispatchTelemetry _broker;
    private string? _publishExchange;

    /// <summary>Creates the dispatcher.</summary>
    /// <param name="bus">The bus the node sends on.</param>
    /// <param name="timeProvider">The node's clock: the time to live of each <see cref="TaskDue"/>.</param>
    public MassTransitTaskDispatcher(IBus bus, TimeProvider timeProvider)
        : this(bus, timeProvider, quorumQueues: false)
    {
    }

    /// <summary>Creates the dispatcher.</summary>
    /// <param name="bus">The bus the node sends on.</param>
    /// <param name="timeProvider">The node's clock: the time to live of each <see cref="TaskDue"/>.</param>
    /// <param name="quorumQueues">Whether destination queues are RabbitMQ quorum queues (<see cref="SchedulerEndpoints.Address(string, bool)"/>).</param>
    public MassTransitTaskDispatcher(IBus bus, TimeProvider timeProvider, bool quorumQueues)
    {
        _bus = bus;
        _timeProvider = timeProvider;
        _control = bus as IBusControl;
        _quorumQueues = quorumQueues;
        _broker = BrokerOf(bus.Address);
    }

    /// <inheritdoc />
    /// <remarks>Over RabbitMQ (a bus address <c>rabbitmq://</c> or <c>rabbitmqs://</c>): system <c>rabbitmq</c>, the broker's host and port
    /// from the bus address; over another transport none of these. The destination is the exchange MassTransit sends to: the destination
    /// queue's own (of the same name), or when published the exchange of <see cref="TaskDue"/> (its entity name, by default
    /// <c>Scheduler.Contracts:TaskDue</c>). The message id is the attempt's (<see cref="TaskDueMessageId"/>).</remarks>
    public DispatchTelemetry DescribeDispatch(TaskDue message, string? destinationQueue)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _broker with
        {
            DestinationName = destinationQueue ?? (_publishExchange ??= _bus.Topology.Message<TaskDue>().EntityName),
            MessageId = TaskDueMessageId.For(message.InstanceId, message.Attempt).ToString(),
        };
    }

    /// <summary>The messaging system and broker of a bus at <paramref name="busAddress"/>, when it is RabbitMQ.</summary>
    private static DispatchTelemetry BrokerOf(Uri busAddress) =>
        busAddress.Scheme is "rabbitmq" or "rabbitmqs"
            ? new DispatchTelemetry { System = "rabbitmq", ServerAddress = busAddress.Host, ServerPort = busAddress.Port > 0 ? busAddress.Port : null }
            : new DispatchTelemetry();

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
        ArgumentNullException.ThrowIfNull(message);
        var pipe = Pipe.Execute<SendContext<TaskDue>>(context => Stamp(context, message));
        if (destinationQueue is null)
        {
            await _bus.Publish(message, pipe, cancellationToken).ConfigureAwait(false);
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
            await endpoint.Send(message, pipe, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RefusalOf(ex) is { } refusal)
        {
            throw new DispatchRejectedException($"sending to queue '{destinationQueue}' was refused: {refusal}", ex);
        }
    }

    /// <summary>
    /// Gives the message the id of its attempt (<see cref="TaskDueMessageId"/>) and, when it has a <see cref="TaskDue.StartBy"/>, a time to live
    /// until then: a copy still waiting in the queue when the node may dispatch the next attempt is dropped by the broker, never run.
    /// </summary>
    private void Stamp(SendContext context, TaskDue message)
    {
        context.MessageId = TaskDueMessageId.For(message.InstanceId, message.Attempt);
        if (message.StartBy is { } startBy)
        {
            var left = startBy - _timeProvider.GetUtcNow();
            context.TimeToLive = left > TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1);
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
