using MassTransit;
using Scheduler.Contracts;

namespace Scheduler.MassTransit.Worker;

/// <summary>
/// Sends <see cref="TaskHeartbeat"/>s for the attempt a handler runs. <see cref="TaskReportingFilter{T}"/> puts one on the consume context
/// and beats it every ExpireAfter / 3; handlers reach it through <see cref="TaskDueContextExtensions.ReportHeartbeatAsync"/>.
/// </summary>
public sealed class TaskHeartbeatReporter
{
    private readonly TaskDue _message;
    private readonly IPublishEndpoint _publisher;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the reporter for the attempt <paramref name="message"/>.</summary>
    /// <param name="message">The attempt.</param>
    /// <param name="publisher">Where heartbeats are published: the bus, so they leave at once even when the consume context has an outbox.</param>
    /// <param name="timeProvider">The worker's clock, for <see cref="TaskHeartbeat.At"/>.</param>
    public TaskHeartbeatReporter(TaskDue message, IPublishEndpoint publisher, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(message);
        _message = message;
        _publisher = publisher;
        _timeProvider = timeProvider;
    }

    /// <summary>The instance the heartbeats are for.</summary>
    public Guid InstanceId => _message.InstanceId;

    /// <summary>The attempt the heartbeats are for.</summary>
    public int Attempt => _message.Attempt;

    /// <summary>Publishes one heartbeat now: the scheduler moves the attempt's expiry to when it records it plus ExpireAfter.</summary>
    public Task BeatAsync(CancellationToken cancellationToken = default) => _publisher.Publish(new TaskHeartbeat
    {
        TaskId = _message.TaskId,
        InstanceId = _message.InstanceId,
        Attempt = _message.Attempt,
        At = _timeProvider.GetUtcNow(),
    }, cancellationToken);
}

/// <summary>What a <c>IConsumer&lt;TaskDue&gt;</c> handler can tell the scheduler while it runs.</summary>
public static class TaskDueContextExtensions
{
    /// <summary>
    /// Tells the scheduler that this attempt is still running, e.g. after each step of a long job: its expiry moves to now plus ExpireAfter.
    /// With <c>AddTaskReporting</c> heartbeats are also sent every ExpireAfter / 3 without this call; use it to report progress more often,
    /// or where automatic heartbeats are off.
    /// </summary>
    /// <param name="context">The handler's consume context.</param>
    /// <param name="cancellationToken">Cancels the publish.</param>
    public static Task ReportHeartbeatAsync(this ConsumeContext<TaskDue> context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.TryGetPayload<TaskHeartbeatReporter>(out var reporter)
            ? reporter.BeatAsync(cancellationToken)
            : new TaskHeartbeatReporter(context.Message, context, TimeProvider.System).BeatAsync(cancellationToken);
    }
}
