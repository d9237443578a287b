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
/// repeated command (a redelivery) stores nothing new. A recurring schedule's task id is derived from its group and id
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

            var envelope = ScheduledMessageEnvelope.Capture(context, message.Destination, message.Payload, message.PayloadType, oneOff: true, endTime: null);
            if (await _scheduling.GetAsync(taskId, context.CancellationToken).ConfigureAwait(false) is { } existing)
            {
                LogRepeated(taskId, existing.State);
                return;
            }

            var scheduled = await _scheduling.ScheduleAsync(new ScheduleTask
            {
                TaskId = taskId,
                TriggerKind = TriggerKind.Once,
                Trigger = NotBefore(message.ScheduledTime).ToString("O", CultureInfo.InvariantCulture),
                DestinationQueue = _endpoints.ScheduledMessages,
                Payload = envelope.ToPayload(),
                Metadata = new Dictionary<string, string> { [DestinationKey] = Truncated(envelope.Destination) },
            }, context.CancellationToken).ConfigureAwait(false);
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
            var envelope = ScheduledMessageEnvelope.Capture(context, message.Destination, message.Payload, message.PayloadType, oneOff: false, schedule.EndTime);
            var command = new ScheduleTask
            {
                TaskId = taskId,
                TriggerKind = TriggerKind.Cron,
                Trigger = cron,
                TimeZone = schedule.TimeZoneId,
                StartAt = schedule.StartTime,
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
            // A schedule of that name is replaced, as MassTransit.Quartz does; one that was cancelled is scheduled again.
            var existing = await _scheduling.GetAsync(taskId, context.CancellationToken).ConfigureAwait(false);
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

    [LoggerMessage(Level = LogLevel.Debug, Message = "Scheduled message task {TaskId} exists already ({State}): a repeated (or already cancelled) ScheduleMessage stores nothing")]
    private partial void LogRepeated(Guid taskId, TaskState state);

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

/// <summary>Endpoint of <see cref="MessageSchedulerConsumer"/>: the cluster's <c>{cluster}-message-scheduler</c> queue; transient store errors are
/// retried before a command goes to the error queue.</summary>
internal sealed class MessageSchedulerConsumerDefinition : ConsumerDefinition<MessageSchedulerConsumer>
{
    public MessageSchedulerConsumerDefinition(IOptions<SchedulerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Endpoint(e => Node.NodeEndpoint.Command(e, options.Value, q => q.MessageScheduler));
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<MessageSchedulerConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);
        endpointConfigurator.UseMessageRetry(r => r.Intervals(50, 200, 1000, 5000));
    }
}
