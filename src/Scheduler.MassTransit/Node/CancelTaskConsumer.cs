using MassTransit;
using Scheduler.Contracts;
using Scheduler.Core.Runtime;

namespace Scheduler.MassTransit.Node;

/// <summary>Consumes <see cref="CancelTask"/> and answers <see cref="TaskCancelled"/>.</summary>
public sealed class CancelTaskConsumer : IConsumer<CancelTask>
{
    private readonly SchedulingService _scheduling;

    /// <summary>Creates the consumer.</summary>
    public CancelTaskConsumer(SchedulingService scheduling) => _scheduling = scheduling;

    /// <inheritdoc />
    public async Task Consume(ConsumeContext<CancelTask> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var cancelled = await _scheduling.CancelAsync(context.Message.TaskId, context.CancellationToken).ConfigureAwait(false);
        await context.RespondAsync(cancelled).ConfigureAwait(false);
    }
}
