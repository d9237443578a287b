using MassTransit;
using Microsoft.Extensions.Options;
using Scheduler.Contracts;
using Scheduler.Core.Runtime;

namespace Scheduler.MassTransit.Node;

/// <summary>Consumes <see cref="CancelTask"/> and answers <see cref="TaskCancelled"/>.</summary>
/// <param name="scheduling">Cancels the task.</param>
/// <param name="options">The node's settings: the send timeout of the reply.</param>
/// <param name="timeProvider">The clock of that timeout.</param>
public sealed class CancelTaskConsumer(SchedulingService scheduling, IOptions<SchedulerOptions> options, TimeProvider timeProvider) : IConsumer<CancelTask>
{
    /// <inheritdoc />
    public async Task Consume(ConsumeContext<CancelTask> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var cancelled = await scheduling.CancelAsync(context.Message.TaskId, context.CancellationToken).ConfigureAwait(false);
        await context.RespondWithinAsync(cancelled, options.Value, timeProvider).ConfigureAwait(false);
    }
}
