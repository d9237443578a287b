using System.Globalization;
using MassTransit;
using MassTransit.Scheduling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Runtime;
using MisfirePolicy = Scheduler.Contracts.MisfirePolicy;

using Scheduler.MassTransit.Node;

namespace Scheduler.MassTransit.MessageScheduling;

/// <summary>
/// Serves MassTransit's message scheduler on the node's <see cref="SchedulerEndpoints.MessageScheduler"/> queue: the commands that
/// <c>ScheduleSend</c>, <c>ScheduleRecurringSend</c>, <c>CancelScheduledSend</c> and the pause and resume of recurring schedules send (the
/// <c>MassTransit.Scheduling</c> contracts that MassTransit's Quartz and Hangfire integrations consume) become task definitions whose
/// instances are dispatched to <see cref="SchedulerEndpoints.ScheduledMessages"/>, where <see cref="ScheduledMessageDeliveryConsumer"/> sends
/// the stored message to its destination.
/// </summary>
/// <remarks>
/// Ids: a one-off message's task id is its <c>ScheduleMessage.CorrelationId</c>, the token id MassTransit hands back and cancels by; a
/// <c>ScheduleSend</c> under a token that has a task replaces its message (<see cref="ReplaceAsync"/>), a repeated command (a redelivery)
/// stores nothing new. A recurring schedule's task id is derived from its group and id
/// (<see cref="RecurringScheduleIds"/>); scheduling the same schedule again replaces its cron, zone, start, end, misfire policy and message,
/// as MassTransit.Quartz does. A command that cannot be stored (no destination, a bad cron expression or time zone, a message over 256 KiB) is logged at Warning and answered with <see cref="TaskRejected"/> (published, or sent to the
/// command's response address); it is acknowledged, not retried.
/// </remarks>
internal sealed partial class MessageSchedulerConsumer :
    IConsumer<ScheduleMessage>,
    IConsumer<ScheduleRecurringMessage>,
    IConsumer<CancelScheduledMessage>,
    IConsumer<CancelScheduledRecurringMessage>,
    IConsumer<PauseScheduledRecurringMessage>,
    IConsumer<ResumeScheduledRecurringMessage>
{
    /// <summary>Metadata keys of the tasks this consumer stores, so an operator can tell them apart (e.g. <c>ListTasks</c> by metadata).</summary>
    public const string DestinationKey = "masstransit-destination";

    public const string ScheduleKey = "masstransit-schedule";

    public const string CancelledBeforeScheduledKey = "masstransit-cancelled-before-scheduled";

    private readonly SchedulingService _scheduling;
    private readonly SchedulerEndpoints _endpoints;
    private readonly ILogger<MessageSchedulerConsumer> _logger;
    private readonly SchedulerOptions _options;
    private readonly TimeProvider _timeProvider;

    public MessageSchedulerConsumer(SchedulingService scheduling, IOptions<SchedulerOptions> options, TimeProvider timeProvider, ILogger<MessageSchedulerConsumer> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _scheduling = scheduling;
        _options = options.Value;
        _timeProvider = timeProvider;
        _endpoints = new SchedulerEndpoints(options.Value.ClusterName);
        _logger = logger;
    }

    public async Task Consume(ConsumeContext<ScheduleMessage> context)
    {
        var message = context.Message;
        var taskId = message.CorrelationId != Guid.Empty ? message.CorrelationId : context.MessageId ?? Guid.Empty;
        try
        {
            if (taskId == Guid.Empty)
            {
                throw new TaskValidationException("ScheduleMessage has no CorrelationId (the scheduling token id). Schedule through MassTransit's ScheduleSend, which sets it.");
            }

            var envelope = ScheduledMessageEnvelope.Capture(context, message.Destination, message.Payload, message.PayloadType, oneOff: true, endTime: null,
                tokenId: taskId);
            var command = new ScheduleTask
            {
                TaskId = taskId,
                TriggerKind = TriggerKind.Once,
                Trigger = NotBefore(message.ScheduledTime).ToString("O", CultureInfo.InvariantCulture),
                DestinationQueue = _endpoints.ScheduledMessages,
                Payload = envelope.ToPayload(),
                Metadata = new Dictionary<string, string> { [DestinationKey] = Truncated(envelope.Destination) },
            };
            if (await _scheduling.GetAsync(taskId, context.CancellationToken).ConfigureAwait(false) is { } existing)
            {
                await ReplaceAsync(existing, command, envelope, context).ConfigureAwait(false);
                return;
            }

            var scheduled = await _scheduling.ScheduleAsync(command, context.CancellationToken).ConfigureAwait(false);
            LogScheduled(taskId, envelope.Destination, scheduled.NextFireTime);
        }
        catch (TaskValidationException ex)
        {
            if (taskId != Guid.Empty && await _scheduling.GetAsync(taskId, context.CancellationToken).ConfigureAwait(false) is { } stored)
            {
                // A copy of this command (a redelivery) stored it meanwhile; each capture of the body differs (MassTransit gives it a new message id
                // and send time), hence the conflict.
                LogRepeated(taskId, stored.State);
            }
            else
            {
                await RejectAsync(context, taskId, ex.Message).ConfigureAwait(false);
            }
        }
    }

    public async Task Consume(ConsumeContext<ScheduleRecurringMessage> context)
    {
        var message = context.Message;
        var schedule = message.Schedule;
        var taskId = RecurringScheduleIds.For(schedule?.ScheduleGroup, schedule?.ScheduleId);
        try
        {
            if (schedule is null || string.IsNullOrWhiteSpace(schedule.ScheduleId))
            {
                throw new TaskValidationException(
                    "ScheduleRecurringMessage has no Schedule or no ScheduleId. Schedule with a RecurringSchedule (e.g. a DefaultRecurringSchedule subclass) that names one.");
            }

            if (schedule.EndTime is { } end && end <= schedule.StartTime)
            {
                throw new TaskValidationException(
                    $"Recurring schedule '{schedule.ScheduleGroup}/{schedule.ScheduleId}' ends ({end:O}) before it starts ({schedule.StartTime:O}). Give an EndTime after StartTime, or none.");
            }

            var cron = QuartzCron.ToCronos(schedule.CronExpression);
            // EndTime is the task's EndAt (as Quartz's trigger EndAt): no occurrence after it is planned, and the task then finishes.
            var envelope = ScheduledMessageEnvelope.Capture(context, message.Destination, message.Payload, message.PayloadType, oneOff: false, endTime: null,
                tokenId: message.CorrelationId == Guid.Empty ? null : message.CorrelationId,
                recurring: new RecurringScheduleInfo(cron, schedule.TimeZoneId, schedule.StartTime, schedule.EndTime, schedule.ScheduleId, schedule.ScheduleGroup));
            var command = new ScheduleTask
            {
                TaskId = taskId,
                TriggerKind = TriggerKind.Cron,
                Trigger = cron,
                TimeZone = schedule.TimeZoneId,
                StartAt = schedule.StartTime,
                EndAt = schedule.EndTime,
                Misfire = schedule.MisfirePolicy == MissedEventPolicy.Skip ? MisfirePolicy.Skip : MisfirePolicy.FireOnce,
                Overlap = OverlapPolicy.AllowAll, // every occurrence is a message of its own, as with Quartz
                DestinationQueue = _endpoints.ScheduledMessages,
                Payload = envelope.ToPayload(),
                Metadata = new Dictionary<string, string>
                {
                    [DestinationKey] = Truncated(envelope.Destination),
                    [ScheduleKey] = Truncated($"{schedule.ScheduleGroup}/{schedule.ScheduleId}"),
                },
            };
            // A schedule of that name is replaced, as MassTransit.Quartz does; one that was cancelled is scheduled again. A command sent before
            // the stored one (a redelivery, or one overtaken by a newer replacement) changes nothing.
            var existing = await _scheduling.GetAsync(taskId, context.CancellationToken).ConfigureAwait(false);
            if (existing is not null && IsStale(existing, envelope, context.MessageId))
            {
                LogStale(taskId, envelope.SentTime);
                return;
            }

            var next = existing is null
                ? (await _scheduling.ScheduleAsync(command, context.CancellationToken).ConfigureAwait(false)).NextFireTime
                : existing.State == TaskState.Cancelled
                    ? (await _scheduling.ScheduleAgainAsync(command, context.CancellationToken).ConfigureAwait(false))?.Task.NextFireTime
                    : (await _scheduling.UpdateAsync(Replacing(command), context.CancellationToken).ConfigureAwait(false))?.Task.NextFireTime;
            LogScheduledRecurring(schedule.ScheduleGroup, schedule.ScheduleId, taskId, cron, next);
        }
        catch (TaskValidationException ex)
        {
            await RejectAsync(context, taskId, ex.Message).ConfigureAwait(false);
        }
    }

    /// <remarks>A cancel that finds no task (its <c>ScheduleMessage</c> not consumed yet: commands on the queue are consumed concurrently)
    /// leaves a cancelled placeholder under the token id, so the late <c>ScheduleMessage</c> finds the id taken and stores nothing; the
    /// cleanup loop deletes the placeholder after <c>Scheduler:Retention</c>.</remarks>
    public async Task Consume(ConsumeContext<CancelScheduledMessage> context)
    {
        var taskId = context.Message.TokenId;
        var cancelled = await _scheduling.CancelAsync(taskId, context.CancellationToken).ConfigureAwait(false);
        if (!cancelled.Found && await _scheduling.GetAsync(taskId, context.CancellationToken).ConfigureAwait(false) is null)
        {
            try
            {
                await _scheduling.ScheduleAsync(new ScheduleTask
                {
                    TaskId = taskId,
                    TriggerKind = TriggerKind.Once,
                    Trigger = "8999-12-31T00:00:00Z", // never reached: cancelled below
                    DestinationQueue = _endpoints.ScheduledMessages,
                    Metadata = new Dictionary<string, string> { [CancelledBeforeScheduledKey] = "true" },
                }, context.CancellationToken).ConfigureAwait(false);
            }
            catch (TaskValidationException)
            {
                // The ScheduleMessage was stored meanwhile (same id, other content): the cancel below applies to it.
            }

            cancelled = await _scheduling.CancelAsync(taskId, context.CancellationToken).ConfigureAwait(false);
        }

        LogCancelled(taskId, cancelled.Found);
    }

    public async Task Consume(ConsumeContext<CancelScheduledRecurringMessage> context)
    {
        var taskId = RecurringScheduleIds.For(context.Message.ScheduleGroup, context.Message.ScheduleId);
        var cancelled = await _scheduling.CancelAsync(taskId, context.CancellationToken).ConfigureAwait(false);
        LogCancelled(taskId, cancelled.Found);
    }

    public Task Consume(ConsumeContext<PauseScheduledRecurringMessage> context) =>
        ChangeAsync(context.Message.ScheduleGroup, context.Message.ScheduleId, "pause", _scheduling.PauseAsync, context.CancellationToken);

    public Task Consume(ConsumeContext<ResumeScheduledRecurringMessage> context) =>
        ChangeAsync(context.Message.ScheduleGroup, context.Message.ScheduleId, "resume", _scheduling.ResumeAsync, context.CancellationToken);

    private async Task ChangeAsync(string? group, string? id, string verb, Func<Guid, CancellationToken, Task<TaskChanged?>> change,
        CancellationToken cancellationToken)
    {
        var taskId = RecurringScheduleIds.For(group, id);
        try
        {
            var changed = await change(taskId, cancellationToken).ConfigureAwait(false);
            if (changed is null)
            {
                LogNotFound(verb, group, id, taskId);
            }
            else
            {
                LogChanged(verb, group, id, taskId, changed.Changed);
            }
        }
        catch (TaskValidationException ex)
        {
            LogChangeRefused(verb, group, id, ex.Message);
        }
    }

    /// <summary>
    /// A <c>ScheduleSend</c> under a token that has a task already replaces its pending message (its time and body), as MassTransit.Quartz
    /// does (there: unschedule, then schedule): a task not yet delivered, delivered (finished) or cancelled is scheduled with the new message.
    /// Not replaced: the same command again (a redelivery: same message id), a command sent before the stored one (by the sender's
    /// <c>SentTime</c>: it was overtaken by a newer replacement), and a token whose cancel arrived before any schedule of it (a cancelled
    /// placeholder: the cancel was sent after its schedule, which it overtook). An attempt already being delivered is not recalled.
    /// </summary>
    private async Task ReplaceAsync(TaskInfo existing, ScheduleTask command, ScheduledMessageEnvelope envelope, ConsumeContext<ScheduleMessage> context)
    {
        var taskId = existing.TaskId;
        if (existing.Metadata.ContainsKey(CancelledBeforeScheduledKey))
        {
            LogRepeated(taskId, existing.State);
            return;
        }

        if (IsStale(existing, envelope, context.MessageId))
        {
            LogStale(taskId, envelope.SentTime);
            return;
        }

        var next = existing.State == TaskState.Cancelled
            ? (await _scheduling.ScheduleAgainAsync(command, context.CancellationToken).ConfigureAwait(false))?.Task.NextFireTime
            : (await _scheduling.UpdateAsync(Replacing(command), context.CancellationToken).ConfigureAwait(false))?.Task.NextFireTime;
        LogReplaced(taskId, envelope.Destination, next);
    }

    /// <summary>Whether a command whose message is <paramref name="incoming"/> (message id <paramref name="messageId"/>) is the stored one
    /// again or was sent before it.</summary>
    internal static bool IsStale(TaskInfo existing, ScheduledMessageEnvelope incoming, Guid? messageId)
    {
        ScheduledMessageEnvelope stored;
        try
        {
            stored = ScheduledMessageEnvelope.FromPayload(existing.Payload);
        }
        catch (InvalidOperationException)
        {
            return false; // a task without a stored message: replaced
        }

        return (messageId is not null && stored.MessageId == messageId)
            || (stored.SentTime is { } storedSent && incoming.SentTime is { } sent && sent < storedSent);
    }

    private async Task RejectAsync<T>(ConsumeContext<T> context, Guid taskId, string reason)
        where T : class
    {
        LogRejected(typeof(T).Name, taskId, reason);
        await context.RespondWithinAsync(new TaskRejected { TaskId = taskId, Reason = reason }, _options, _timeProvider).ConfigureAwait(false);
    }

    /// <summary>The same schedule again replaces it, as MassTransit.Quartz does (there: unschedule, then schedule): every value of
    /// <paramref name="command"/> that an update can change.</summary>
    private static UpdateTask Replacing(ScheduleTask command) => new()
    {
        TaskId = command.TaskId!.Value, TriggerKind = command.TriggerKind, Trigger = command.Trigger, TimeZone = command.TimeZone,
        StartAt = command.StartAt, Misfire = command.Misfire, Overlap = command.Overlap, Payload = command.Payload, Metadata = command.Metadata,
        EndAt = command.EndAt ?? DateTimeOffset.MaxValue, // a schedule without EndTime replaces one with it: no end
    };

    /// <summary>The fire time of a message scheduled for <paramref name="scheduledTime"/> (UTC, as MassTransit sends it; a time without kind is
    /// read as UTC): rounded up to whole milliseconds, what the store keeps, so it is never delivered early.</summary>
    private static DateTimeOffset NotBefore(DateTime scheduledTime)
    {
        var utc = scheduledTime.Kind == DateTimeKind.Local ? scheduledTime.ToUniversalTime() : DateTime.SpecifyKind(scheduledTime, DateTimeKind.Utc);
        var ticks = utc.Ticks + ((TimeSpan.TicksPerMillisecond - (utc.Ticks % TimeSpan.TicksPerMillisecond)) % TimeSpan.TicksPerMillisecond);
        return new DateTimeOffset(ticks, TimeSpan.Zero);
    }

    private static string Truncated(string value) => value.Length <= 4096 ? value : value[..4096];

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected MassTransit {Command} (task {TaskId}): {Reason}")]
    private partial void LogRejected(string command, Guid taskId, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Scheduled message task {TaskId} for {Destination} at {FireTime}")]
    private partial void LogScheduled(Guid taskId, string destination, DateTimeOffset? fireTime);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Scheduled message task {TaskId} exists already ({State}): the ScheduleMessage was stored meanwhile, or its cancel came first; it stores nothing")]
    private partial void LogRepeated(Guid taskId, TaskState state);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Scheduled message task {TaskId} replaced by a new message for {Destination} at {FireTime}")]
    private partial void LogReplaced(Guid taskId, string destination, DateTimeOffset? fireTime);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Scheduled message task {TaskId}: a command sent at {SentTime}, before the stored one (or the stored one again), changes nothing")]
    private partial void LogStale(Guid taskId, DateTime? sentTime);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Recurring schedule {Group}/{Id} is task {TaskId}, cron '{Cron}', next fire time {NextFireTime}")]
    private partial void LogScheduledRecurring(string? group, string? id, Guid taskId, string cron, DateTimeOffset? nextFireTime);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Cancelled scheduled message task {TaskId} (found: {Found})")]
    private partial void LogCancelled(Guid taskId, bool found);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cannot {Verb} recurring schedule {Group}/{Id}: no task {TaskId}")]
    private partial void LogNotFound(string verb, string? group, string? id, Guid taskId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Recurring schedule {Group}/{Id} (task {TaskId}): {Verb} (changed: {Changed})")]
    private partial void LogChanged(string verb, string? group, string? id, Guid taskId, bool changed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot {Verb} recurring schedule {Group}/{Id}: {Reason}")]
    private partial void LogChangeRefused(string verb, string? group, string? id, string reason);
}
