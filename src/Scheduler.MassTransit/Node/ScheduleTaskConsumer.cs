using MassTransit;
using Microsoft.Extensions.Logging;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Runtime;

namespace Scheduler.MassTransit.Node;

/// <summary>
/// Consumes <see cref="ScheduleTask"/>: stores the task definition and answers <see cref="TaskScheduled"/>, or answers
/// <see cref="TaskRejected"/> (storing nothing) when the command is invalid. Answers are responses to a request client, else published.
/// </summary>
public sealed partial class ScheduleTaskConsumer : IConsumer<ScheduleTask>
{
    private readonly SchedulingService _scheduling;
    private readonly ILogger<ScheduleTaskConsumer> _logger;

    /// <summary>Creates the consumer.</summary>
    public ScheduleTaskConsumer(SchedulingService scheduling, ILogger<ScheduleTaskConsumer> logger)
    {
        _scheduling = scheduling;
        _logger = logger;
    }

    /// <inheritdoc />
    public async Task Consume(ConsumeContext<ScheduleTask> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var command = context.Message;
        // Without a client-chosen id, the message id names the task: a redelivered command (after a crash or a retry) finds the
        // definition it already stored instead of creating a second one.
        var taskId = command?.TaskId ?? context.MessageId ?? Guid.NewGuid();
        TaskScheduled scheduled;
        try
        {
            if (command is null || command.Trigger is null)
            {
                throw new TaskValidationException("Trigger is missing. Give when the task fires, e.g. '*/5 * * * *' or 'every day at 9am'.");
            }

            scheduled = await _scheduling.ScheduleAsync(command with { TaskId = taskId }, context.CancellationToken).ConfigureAwait(false);
        }
        catch (TaskValidationException ex)
        {
            LogRejected(taskId, ex.Message);
            await context.RespondAsync(new TaskRejected { TaskId = taskId, IdempotencyKey = command?.IdempotencyKey, Reason = ex.Message })
                .ConfigureAwait(false);
            return;
        }

        LogScheduled(scheduled.TaskId, scheduled.NextFireTime, scheduled.AlreadyScheduled);
        await context.RespondAsync(scheduled).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rejected ScheduleTask {TaskId}: {Reason}")]
    private partial void LogRejected(Guid taskId, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Scheduled task {TaskId}, next fire time {NextFireTime} (repeat: {AlreadyScheduled})")]
    private partial void LogScheduled(Guid taskId, DateTimeOffset? nextFireTime, bool alreadyScheduled);
}

/// <summary>Endpoint settings of <see cref="ScheduleTaskConsumer"/>: transient store errors are retried before the command goes to the error queue.</summary>
public sealed class ScheduleTaskConsumerDefinition : ConsumerDefinition<ScheduleTaskConsumer>
{
    /// <inheritdoc />
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<ScheduleTaskConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);
        endpointConfigurator.UseMessageRetry(r => r.Intervals(50, 200, 1000, 5000));
        endpointConfigurator.UseInMemoryOutbox(context);
    }
}
