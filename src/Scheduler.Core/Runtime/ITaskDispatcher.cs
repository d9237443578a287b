using Scheduler.Contracts;

namespace Scheduler.Core.Runtime;

/// <summary>Sends what the runner loop produces onto the bus. The MassTransit integration implements it.</summary>
public interface ITaskDispatcher
{
    /// <summary>Publishes <paramref name="message"/>, or sends it to <paramref name="destinationQueue"/> when one is given; completes when the broker has accepted it.</summary>
    Task DispatchAsync(TaskDue message, string? destinationQueue, CancellationToken cancellationToken = default);

    /// <summary>Publishes that an instance failed for good.</summary>
    Task PublishDeadLetteredAsync(TaskDeadLettered message, CancellationToken cancellationToken = default);
}
