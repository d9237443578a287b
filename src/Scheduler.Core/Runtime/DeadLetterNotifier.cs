using Microsoft.Extensions.Logging;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;

namespace Scheduler.Core.Runtime;

/// <summary>
/// Announces the instances the store has just dead-lettered, whoever did it (the runner for an expired or refused last attempt, the task
/// instance saga for a failed one): logs each at Warning, counts it by cause (<c>scheduler.instances.dead_lettered</c>) and publishes
/// <see cref="TaskDeadLettered"/> within <see cref="SchedulerOptions.SendTimeout"/> (<see cref="BrokerCall"/>).
/// </summary>
/// <remarks>The event is a notification of what the store holds: if the broker does not take it, the failure is logged at Error and the
/// instance stays dead-lettered in the store with its reason (the admin API and <c>GetDeadLetters</c> list it).</remarks>
/// <param name="dispatcher">Publishes the event.</param>
/// <param name="metrics">Counts it.</param>
/// <param name="sendTimeout">How long the publish may take (<see cref="SchedulerOptions.SendTimeout"/>).</param>
/// <param name="timeProvider">The clock of that timeout.</param>
/// <param name="logger">The caller's logger: the dead letter is logged in its category.</param>
internal sealed partial class DeadLetterNotifier(ITaskDispatcher dispatcher, SchedulerMetrics metrics, TimeSpan sendTimeout, TimeProvider timeProvider,
    ILogger logger)
{

    /// <summary>Logs, counts and publishes <paramref name="instance"/>'s dead letter.</summary>
    /// <param name="instance">The instance as the store dead-lettered it.</param>
    /// <param name="reason">Why its last attempt failed (its <c>last_error</c>).</param>
    /// <param name="cause">Which kind of failure it was, for the metric.</param>
    /// <param name="failedAt">When the store marked it failed (UTC).</param>
    public async Task NotifyAsync(TaskInstance instance, string reason, DeadLetterCause cause, DateTimeOffset failedAt)
    {
        ArgumentNullException.ThrowIfNull(instance);
        LogDeadLettered(instance.Id, instance.DefinitionId, instance.Attempt, reason);
        metrics.CountDeadLettered(cause);
        var message = new TaskDeadLettered
        {
            TaskId = instance.DefinitionId,
            InstanceId = instance.Id,
            Attempt = instance.Attempt,
            FireTime = instance.FireTime,
            Reason = reason,
            FailedAt = failedAt,
        };
        try
        {
            await BrokerCall.RunAsync(ct => dispatcher.PublishDeadLetteredAsync(message, ct), sendTimeout, "accept TaskDeadLettered",
                "Scheduler:SendTimeout", timeProvider).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogPublishFailed(ex, instance.Id);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task instance {InstanceId} of task {TaskId} dead-lettered after attempt {Attempt}: {Reason}")]
    private partial void LogDeadLettered(Guid instanceId, Guid taskId, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not publish TaskDeadLettered for task instance {InstanceId}; the instance is dead-lettered in the store with its reason")]
    private partial void LogPublishFailed(Exception exception, Guid instanceId);
}
