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
/// While the handler runs it publishes <see cref="TaskHeartbeat"/> every <see cref="TaskDue.ExpireAfter"/> / 3 (unless
/// <see cref="TaskReportingOptions.Heartbeats"/> is off), so a long handler is not dispatched again; handlers may send more with
/// <see cref="TaskDueContextExtensions.ReportHeartbeatAsync"/>.
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
    private readonly IBus _bus;
    private readonly ILogger<TaskReportingFilter<T>> _logger;

    /// <summary>Creates the filter.</summary>
    /// <param name="timeProvider">The worker's clock: reported times and the heartbeat interval.</param>
    /// <param name="options">What to report.</param>
    /// <param name="bus">Publishes heartbeats at once, outside any outbox of the consume context (they must leave while the handler runs).</param>
    /// <param name="logger">Logs handler failures and heartbeats that could not be sent.</param>
    public TaskReportingFilter(TimeProvider timeProvider, IOptions<TaskReportingOptions> options, IBus bus, ILogger<TaskReportingFilter<T>> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _timeProvider = timeProvider;
        _options = options.Value;
        _bus = bus;
        _logger = logger;
    }

    /// <inheritdoc />
    public void Probe(ProbeContext context) => context.CreateFilterScope("scheduler-task-reporting");

    /// <inheritdoc />
    public Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        // A filter of the same kind further out (AddTaskReporting on an endpoint that also places it itself) already reports this message.
        return context is ConsumeContext<TaskDue> due && !context.TryGetPayload<TaskHeartbeatReporter>(out _)
            ? SendTaskDue(due, context, next)
            : next.Send(context);
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

        var heartbeat = context.GetOrAddPayload(() => new TaskHeartbeatReporter(message, _bus, _timeProvider));
        using var handling = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        var beating = _options.Heartbeats && HeartbeatInterval(message) is { } interval
            ? BeatAsync(heartbeat, interval, handling.Token)
            : Task.CompletedTask;
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
            await StopAsync(handling, beating).ConfigureAwait(false);
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
        finally
        {
            await StopAsync(handling, beating).ConfigureAwait(false);
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

    /// <summary>A third of the attempt's ExpireAfter (or of what is left until it expires, from a scheduler that does not send ExpireAfter), so two
    /// heartbeats may be lost or late before the attempt expires.</summary>
    private TimeSpan? HeartbeatInterval(TaskDue message)
    {
        var span = message.ExpireAfter > TimeSpan.Zero ? message.ExpireAfter : message.ExpiresAt - _timeProvider.GetUtcNow();
        return span > TimeSpan.Zero ? span / 3 : null;
    }

    private async Task BeatAsync(TaskHeartbeatReporter heartbeat, TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, _timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await heartbeat.BeatAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogHeartbeatFailed(ex, heartbeat.InstanceId, heartbeat.Attempt); // the next tick tries again
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the handler returned
        }
    }

    private static async Task StopAsync(CancellationTokenSource handling, Task beating)
    {
        if (!handling.IsCancellationRequested)
        {
            await handling.CancelAsync().ConfigureAwait(false);
        }

        await beating.ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not send a heartbeat of task instance {InstanceId} attempt {Attempt}; trying again at the next one")]
    private partial void LogHeartbeatFailed(Exception exception, Guid instanceId, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handler of task {TaskId} instance {InstanceId} failed on attempt {Attempt} of {MaxAttempts}")]
    private partial void LogHandlerFailed(Exception exception, Guid taskId, Guid instanceId, int attempt, int maxAttempts);
}
