using MassTransit;
using Microsoft.Extensions.Logging;
using Scheduler.Contracts;

namespace Scheduler.MassTransit.Worker;

/// <summary>
/// Wraps the consumers of <see cref="TaskDue"/> on an endpoint: reports each attempt's outcome — <see cref="TaskCompleted"/> when they return,
/// <see cref="TaskFailed"/> (with the exception logged) when they throw — and, while it runs, that it is running (<see cref="AttemptReporter"/>),
/// so a worker writes only its <c>IConsumer&lt;TaskDue&gt;</c>. A delivery that is stale is acknowledged without running the handler.
/// </summary>
/// <remarks>
/// <para>Stale deliveries: one received after its <see cref="TaskDue.StartBy"/> (it waited in the queue past the scheduler's queue timeout, so
/// the scheduler dispatches the next attempt in its place), a copy of an attempt this worker already finished (the broker delivers an
/// unacknowledged message again after a connection loss), and a copy of an attempt that runs in this worker now (the node sent it again after
/// its confirmation timed out). Each is counted (<c>scheduler.worker.deliveries.stale</c>).</para>
/// <para>Every report is bounded by <see cref="TaskReportingOptions.SendTimeout"/>: an outcome that cannot be sent at once is sent again in the
/// background and the message is acknowledged all the same; nothing the broker does can hold a handler or its endpoint. A failed handler's
/// message is acknowledged, not redelivered or moved to the error queue: the scheduler retries the task instance per its retry policy. A
/// handler cancelled because the worker is stopping (or the connection dropped) is not reported; its message goes back to the queue.
/// Messages other than <see cref="TaskDue"/> pass through untouched.</para>
/// </remarks>
/// <typeparam name="T">The message type of the consume pipe the filter is placed in.</typeparam>
internal sealed partial class TaskReportingFilter<T> : IFilter<ConsumeContext<T>>
    where T : class
{
    private readonly TaskReports _reports;
    private readonly ILogger<TaskReportingFilter<T>> _logger;

    public TaskReportingFilter(TaskReports reports, ILogger<TaskReportingFilter<T>> logger)
    {
        _reports = reports;
        _logger = logger;
    }

    /// <inheritdoc />
    public void Probe(ProbeContext context) => context.CreateFilterScope("scheduler-task-reporting");

    /// <inheritdoc />
    public Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        // A filter of the same kind further out (AddTaskReporting on an endpoint that also places it itself) already reports this message.
        return context is ConsumeContext<TaskDue> due && !context.TryGetPayload<AttemptReporter>(out _)
            ? SendTaskDue(due, context, next)
            : next.Send(context);
    }

    private async Task SendTaskDue(ConsumeContext<TaskDue> due, ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        var message = due.Message;
        var startedAt = _reports.TimeProvider.GetUtcNow();
        if (message.StartBy is { } startBy && startedAt > startBy)
        {
            await SkipStaleAsync(due, "queue_timeout", "it was received after its StartBy (the scheduler dispatches the next attempt in its place)")
                .ConfigureAwait(false);
            return;
        }

        if (_reports.Finished(message.InstanceId, message.Attempt))
        {
            await SkipStaleAsync(due, "finished", "this worker already finished that attempt (the broker delivered it again)").ConfigureAwait(false);
            return;
        }

        if (!_reports.TryRun(message.InstanceId, message.Attempt, context.CancellationToken, out var running))
        {
            running.Dispose();
            await SkipStaleAsync(due, "running", "another copy of that attempt runs in this worker").ConfigureAwait(false);
            return;
        }

        using var runningScope = running;
        var reporter = AttemptReporter.Start(message, _reports, startedAt);
        await using (reporter.ConfigureAwait(false))
        {
            context.GetOrAddPayload(() => reporter);
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
                await reporter.DisposeAsync().ConfigureAwait(false);
                await _reports.SendOutcomeAsync(new TaskFailed
                {
                    TaskId = message.TaskId,
                    InstanceId = message.InstanceId,
                    Attempt = message.Attempt,
                    StartedAt = startedAt,
                    FailedAt = _reports.TimeProvider.GetUtcNow(),
                    ExceptionType = ex.GetType().FullName ?? ex.GetType().Name,
                    Reason = ex.Message,
                    Worker = TaskReports.Worker,
                }, message.InstanceId, message.Attempt).ConfigureAwait(false);
                return;
            }
        }

        await _reports.SendOutcomeAsync(new TaskCompleted
        {
            TaskId = message.TaskId,
            InstanceId = message.InstanceId,
            Attempt = message.Attempt,
            StartedAt = startedAt,
            CompletedAt = _reports.TimeProvider.GetUtcNow(),
            Worker = TaskReports.Worker,
        }, message.InstanceId, message.Attempt).ConfigureAwait(false);
    }

    /// <summary>Acknowledges a stale delivery without running the handler: counted, logged at Debug, and marked consumed (so MassTransit does
    /// not move it to the endpoint's <c>_skipped</c> queue).</summary>
    private Task SkipStaleAsync(ConsumeContext<TaskDue> context, string reason, string why)
    {
        _reports.CountStale(reason);
        LogStale(context.Message.InstanceId, context.Message.Attempt, why);
        return context.NotifyConsumed(context, TimeSpan.Zero, "scheduler-stale-delivery");
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Handler of task {TaskId} instance {InstanceId} failed on attempt {Attempt} of {MaxAttempts}")]
    private partial void LogHandlerFailed(Exception exception, Guid taskId, Guid instanceId, int attempt, int maxAttempts);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Acknowledged task instance {InstanceId} attempt {Attempt} without running it: {Why}")]
    private partial void LogStale(Guid instanceId, int attempt, string why);
}
