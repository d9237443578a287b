using Scheduler.Contracts;

namespace Scheduler.Core.Runtime;

/// <summary>Sends what the runner loop produces onto the bus. The MassTransit integration implements it.</summary>
public interface ITaskDispatcher
{
    /// <summary>Publishes <paramref name="message"/>, or sends it to <paramref name="destinationQueue"/> when one is given; completes when the broker has accepted it.</summary>
    /// <exception cref="DispatchRejectedException">The broker refused this message for a reason of its own (sending it again cannot succeed).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the runner's send timeout, or the node stopping).</exception>
    /// <remarks>Any other exception means the broker could not be reached or did not confirm: the runner releases the claim and counts the
    /// failure towards its circuit breaker.</remarks>
    Task DispatchAsync(TaskDue message, string? destinationQueue, CancellationToken cancellationToken = default);

    /// <summary>
    /// Completes when the broker can be reached again, and throws when it cannot: the runner's probe while its sends are failing, so a node
    /// resumes by itself even when no task is due to be sent. The default says yes at once (a dispatcher that cannot tell).
    /// </summary>
    Task ProbeAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <summary>
    /// Describes the dispatch of <paramref name="message"/> to <paramref name="destinationQueue"/> (<see langword="null"/>: published) for the
    /// node's telemetry (<see cref="DispatchTelemetry"/>): called once before each <see cref="DispatchAsync"/>; must neither block nor throw.
    /// The default names the destination queue as the destination (nothing when published) and nothing else.
    /// </summary>
    DispatchTelemetry DescribeDispatch(TaskDue message, string? destinationQueue) => new() { DestinationName = destinationQueue };

    /// <summary>Publishes that an instance failed for good.</summary>
    Task PublishDeadLetteredAsync(TaskDeadLettered message, CancellationToken cancellationToken = default);
}
