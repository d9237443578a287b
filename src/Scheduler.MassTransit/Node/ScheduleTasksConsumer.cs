using System.Globalization;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scheduler.Contracts;
using Scheduler.Core.Runtime;

namespace Scheduler.MassTransit.Node;

/// <summary>
/// Consumes <see cref="ScheduleTasks"/>: validates each task, stores the valid ones in chunks of <see cref="TasksPerTransaction"/> (one
/// transaction each) and answers <see cref="TasksScheduled"/> with one result per task in order; answers <see cref="TasksRejected"/>, storing
/// nothing, when the command has no tasks or more than <see cref="ScheduleTasks.MaxTasks"/>. Answers are responses to a request client, else published.
/// </summary>
public sealed partial class ScheduleTasksConsumer : IConsumer<ScheduleTasks>
{
    /// <summary>Tasks stored per transaction: 1,000, one multi-row insert, which keeps a transaction short enough that a retried one
    /// (SQLSTATE 40001) redoes little.</summary>
    public const int TasksPerTransaction = 1000;

    private readonly SchedulingService _scheduling;
    private readonly ILogger<ScheduleTasksConsumer> _logger;
    private readonly SchedulerOptions _options;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the consumer.</summary>
    public ScheduleTasksConsumer(SchedulingService scheduling, IOptions<SchedulerOptions> options, TimeProvider timeProvider, ILogger<ScheduleTasksConsumer> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _timeProvider = timeProvider;
        _scheduling = scheduling;
        _logger = logger;
    }

    /// <inheritdoc />
    public async Task Consume(ConsumeContext<ScheduleTasks> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var tasks = context.Message?.Tasks ?? [];
        if (tasks.Count is 0 or > ScheduleTasks.MaxTasks)
        {
            var reason = tasks.Count == 0
                ? "ScheduleTasks has no tasks. Give 1 to 10,000 tasks in Tasks."
                : string.Create(CultureInfo.InvariantCulture,
                    $"ScheduleTasks has {tasks.Count:N0} tasks, more than {ScheduleTasks.MaxTasks:N0}. Split them into several commands of at most {ScheduleTasks.MaxTasks:N0} tasks.");
            LogRejected(context.MessageId, reason);
            await context.RespondWithinAsync(new TasksRejected { TaskCount = tasks.Count, Reason = reason }, _options, _timeProvider).ConfigureAwait(false);
            return;
        }

        // A task without a client-chosen id is named after the message id and its index: a redelivered command finds what it stored.
        var messageId = context.MessageId ?? Guid.NewGuid();
        var commands = tasks.Select((task, index) => ScheduleTaskIds.Named(task, ScheduleTasks.DerivedTaskId(messageId, index))).ToList();
        var results = new List<TaskScheduleResult>(commands.Count);
        foreach (var chunk in commands.Chunk(TasksPerTransaction))
        {
            results.AddRange(await _scheduling.ScheduleManyAsync(chunk, context.CancellationToken).ConfigureAwait(false));
        }

        int stored = 0, repeated = 0, rejected = 0;
        foreach (var result in results)
        {
            if (result.Rejected is not null)
            {
                rejected++; // logged with its reason by SchedulingService
            }
            else if (result.Scheduled!.AlreadyScheduled)
            {
                repeated++;
            }
            else
            {
                stored++;
            }
        }

        LogScheduled(context.MessageId, stored, repeated, rejected);
        await context.RespondWithinAsync(new TasksScheduled { Results = results }, _options, _timeProvider).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rejected ScheduleTasks {MessageId}: {Reason}")]
    private partial void LogRejected(Guid? messageId, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "ScheduleTasks {MessageId}: {Stored} tasks stored, {Repeated} repeats, {Rejected} rejected")]
    private partial void LogScheduled(Guid? messageId, int stored, int repeated, int rejected);
}
