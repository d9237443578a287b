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

    /// <summary>Publishes that an instance failed for good.</summary>
    Task PublishDeadLetteredAsync(TaskDeadLettered message, CancellationToken cancellationToken = default);
}
