using System.Diagnostics;
using MassTransit;
using MassTransit.Logging;
using Microsoft.Extensions.Options;
using Scheduler.Contracts;
using Scheduler.Core.Runtime;

namespace Scheduler.MassTransit.Node;

/// <summary>
/// Consumes <see cref="ScheduleTask"/> commands in batches (MassTransit's <see cref="Batch{T}"/>): the commands that arrive together are
/// validated and stored together, in one transaction, and each is answered on its own with <see cref="TaskScheduled"/>, or with
/// <see cref="TaskRejected"/> (storing nothing) when it is invalid. Answers are responses to a request client, else published.
/// </summary>
/// <remarks>Batches hold up to <see cref="SchedulerOptions.IntakeBatchSize"/> commands and wait at most
/// <see cref="SchedulerOptions.IntakeBatchTimeLimit"/> after their first command, so a lone command's reply is delayed by that at most.
/// MassTransit's batch collector keeps one message per message id: a duplicate delivered into the same batch is acknowledged with the
/// batch and gets no reply of its own (the original's reply answers both); a redelivery after the batch is answered with
/// <see cref="TaskScheduled.AlreadyScheduled"/> set.</remarks>
/// <param name="scheduling">Stores the tasks.</param>
/// <param name="options">The node's settings: the send timeout of the replies.</param>
/// <param name="timeProvider">The clock of that timeout.</param>
public sealed class ScheduleTaskConsumer(SchedulingService scheduling, IOptions<SchedulerOptions> options, TimeProvider timeProvider)
    : IConsumer<Batch<ScheduleTask>>
{
    /// <inheritdoc />
    public async Task Consume(ConsumeContext<Batch<ScheduleTask>> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var batch = context.Message;
        // Without a client-chosen id, the message id names the task: a redelivered command (after a crash or a retry) finds the
        // definition it already stored instead of creating a second one.
        var commands = batch.Select(message => ScheduleTaskIds.Named(message.Message, message.MessageId ?? Guid.NewGuid())).ToList();
        // The commands of a batch come from different traces: each one's span, and so each task's dispatches, join the trace of its own message.
        var traces = batch.Select(message => TraceOf(message)).ToList();
        var results = await scheduling.ScheduleManyInTracesAsync(commands, traces, context.CancellationToken).ConfigureAwait(false);

        // Each command is answered on its own consume context: a response to its requester, else a publish. The store has committed, so a
        // failed reply that makes the batch run again finds every definition stored and answers AlreadyScheduled.
        var replies = new Task[results.Count];
        for (var i = 0; i < results.Count; i++)
        {
            replies[i] = results[i].Rejected is { } rejected
                ? batch[i].RespondWithinAsync(rejected, options.Value, timeProvider)
                : batch[i].RespondWithinAsync(results[i].Scheduled!, options.Value, timeProvider);
        }

        await Task.WhenAll(replies).ConfigureAwait(false);
    }

    /// <summary>
    /// The trace context <paramref name="message"/> was sent in (MassTransit's <c>MT-Activity-Id</c> header), or <see langword="default"/> — the
    /// current activity — when that is the same trace (a batch of one, whose consume span is current) or the message carries none.
    /// </summary>
    private static ActivityContext TraceOf(ConsumeContext<ScheduleTask> message) =>
        message.Headers.Get<string>(DiagnosticHeaders.ActivityId) is { } id
        && ActivityContext.TryParse(id, null, isRemote: true, out var sent)
        && sent.TraceId != Activity.Current?.TraceId
            ? sent
            : default;
}
