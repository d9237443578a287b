using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scheduler.Contracts;

namespace Scheduler.MassTransit.Worker;

/// <summary>
/// Wraps the consumers of <see cref="TaskDue"/> on an endpoint: publishes <see cref="TaskCompleted"/> when they return and
/// <see cref="TaskFailed"/> (with the exception logged) when they throw, so a worker writes only its <c>IConsumer&lt;TaskDue&gt;</c>.
/// </summary>
/// <remarks>
/// A failed handler's message is acknowledged, not redelivered or moved to the error queue: the scheduler retries the task instance per its
/// retry policy. A handler cancelled because the worker is stopping is not reported; its message goes back to the queue.
/// Messages other than <see cref="TaskDue"/> pass through untouched.
/// </remarks>
/// <typeparam name="T">The message type of the consume pipe the filter is placed in.</typeparam>
public sealed partial class TaskReportingFilter<T> : IFilter<ConsumeContext<T>>
    where T : class
{
    private readonly TimeProvider _timeProvider;
    private readonly TaskReportingOptions _options;
    private readonly ILogger<TaskReportingFilter<T>> _logger;

    /// <summary>Creates the filter.</summary>
    public TaskReportingFilter(TimeProvider timeProvider, IOptions<TaskReportingOptions> options, ILogger<TaskReportingFilter<T>> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _timeProvider = timeProvider;
        _options = options.Value;
        _logger = logger;
    }

    /// <inheritdoc />
    public void Probe(ProbeContext context) => context.CreateFilterScope("scheduler-task-reporting");

    /// <inheritdoc />
    public Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return context is ConsumeContext<TaskDue> due ? SendTaskDue(due, context, next) : next.Send(context);
    }

    private async Task SendTaskDue(ConsumeContext<TaskDue> due, ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        var message = due.Message;
        var startedAt = _timeProvider.GetUtcNow();
        if (_options.ReportStart)
        {
            await context.Publish(new TaskStarted
            {
                TaskId = message.TaskId,
                InstanceId = message.InstanceId,
                Attempt = message.Attempt,
                StartedAt = startedAt,
            }).ConfigureAwait(false);
        }

        try
        {
            await next.Send(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            LogHandlerFailed(ex, message.TaskId, message.InstanceId, message.Attempt, message.MaxAttempts);
            await context.Publish(new TaskFailed
            {
                TaskId = message.TaskId,
                InstanceId = message.InstanceId,
                Attempt = message.Attempt,
                StartedAt = startedAt,
                FailedAt = _timeProvider.GetUtcNow(),
                ExceptionType = ex.GetType().FullName ?? ex.GetType().Name,
                Reason = ex.Message,
            }).ConfigureAwait(false);
            return;
        }

        await context.Publish(new TaskCompleted
        {
            TaskId = message.TaskId,
            InstanceId = message.InstanceId,
            Attempt = message.Attempt,
            StartedAt = startedAt,
            CompletedAt = _timeProvider.GetUtcNow(),
        }).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Handler of task {TaskId} instance {InstanceId} failed on attempt {Attempt} of {MaxAttempts}")]
    private partial void LogHandlerFailed(Exception exception, Guid taskId, Guid instanceId, int attempt, int maxAttempts);
}
