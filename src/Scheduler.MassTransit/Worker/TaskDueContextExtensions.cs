using MassTransit;
using Scheduler.Contracts;

namespace Scheduler.MassTransit.Worker;

/// <summary>What a <c>IConsumer&lt;TaskDue&gt;</c> handler can tell the scheduler while it runs.</summary>
public static class TaskDueContextExtensions
{
    /// <summary>
    /// Tells the scheduler that this attempt is still running, e.g. after each step of a long job: its expiry moves to the recording time plus
    /// ExpireAfter. Returns at once: the heartbeat is sent in the background, at once if none was sent within ExpireAfter / 10 and none is in
    /// flight, else as soon as that allows (so calling it often costs nothing). <c>AddTaskReporting</c> also sends one every ExpireAfter / 3
    /// without this call; without <c>AddTaskReporting</c> on the endpoint this does nothing.
    /// </summary>
    /// <param name="context">The handler's consume context.</param>
    /// <param name="cancellationToken">Unused: nothing waits. Kept so calls that pass the handler's token compile.</param>
    /// <returns>A completed task.</returns>
    public static Task ReportHeartbeatAsync(this ConsumeContext<TaskDue> context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.TryGetPayload<AttemptReporter>(out var reporter))
        {
            reporter.Request();
        }

        return Task.CompletedTask;
    }
}
