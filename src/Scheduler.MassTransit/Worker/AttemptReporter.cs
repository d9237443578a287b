using Scheduler.Contracts;
using Scheduler.Core.Runtime;

namespace Scheduler.MassTransit.Worker;

/// <summary>
/// Reports that one attempt is running, while its handler runs: <see cref="TaskStarted"/> once it has run for a tenth of ExpireAfter (at most a
/// second), then <see cref="TaskHeartbeat"/> every ExpireAfter / 3, and one sooner when the handler asks (<see cref="Request"/>), but never two
/// at once and never more often than every ExpireAfter / 10. Reports go out from a loop of their own, so neither the handler nor its endpoint
/// ever waits for the broker; each is bounded by the send timeout, and one that fails is superseded by the next.
/// </summary>
internal sealed class AttemptReporter : IAsyncDisposable
{
    private readonly TaskDue _message;
    private readonly TaskReports _reports;
    private readonly DateTimeOffset _startedAt;
    private readonly TimeSpan _startDelay;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _spacing;
    private readonly Signal _requested = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly bool _reportStart;
    private readonly bool _heartbeats;
    private readonly Task _loop;
    private int _pending;

    private AttemptReporter(TaskDue message, TaskReports reports, DateTimeOffset startedAt, TimeSpan expireAfter)
    {
        _message = message;
        _reports = reports;
        _startedAt = startedAt;
        _reportStart = reports.Options.ReportStart;
        _heartbeats = reports.Options.Heartbeats;
        _startDelay = TimeSpan.FromTicks(Math.Min(expireAfter.Ticks / 10, TimeSpan.TicksPerSecond));
        _interval = expireAfter / 3;
        _spacing = expireAfter / 10;
        _loop = expireAfter > TimeSpan.Zero ? Task.Run(() => RunAsync(_stop.Token)) : Task.CompletedTask;
    }

    /// <summary>The attempt.</summary>
    public TaskDue Message => _message;

    /// <summary>
    /// Starts reporting for <paramref name="message"/>'s attempt, whose handler started at <paramref name="startedAt"/>. The attempt's span is
    /// its ExpireAfter (or, from a scheduler that does not send it, what is left until <see cref="TaskDue.ExpiresAt"/>); without one nothing is
    /// reported. What is sent follows <see cref="TaskReportingOptions.ReportStart"/> and <see cref="TaskReportingOptions.Heartbeats"/>; the
    /// heartbeats the handler asks for are sent either way.
    /// </summary>
    public static AttemptReporter Start(TaskDue message, TaskReports reports, DateTimeOffset startedAt)
    {
        var span = message.ExpireAfter > TimeSpan.Zero ? message.ExpireAfter : message.ExpiresAt - startedAt;
        return new AttemptReporter(message, reports, startedAt, span > TimeSpan.Zero ? span : TimeSpan.Zero);
    }

    /// <summary>Asks for a heartbeat soon: at once if none was sent within ExpireAfter / 10 and none is in flight, else when that allows.</summary>
    public void Request()
    {
        if (!_loop.IsCompleted)
        {
            Interlocked.Exchange(ref _pending, 1);
            _requested.Set();
        }
    }

    /// <summary>Stops reporting: the handler returned (its outcome says the rest). A report in flight is not waited for.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var time = _reports.TimeProvider;
        var lastSent = _startedAt - _spacing; // a heartbeat the handler asks for at once may go at once
        if (_reportStart)
        {
            // Counted from the handler's start, not from when this loop got a thread.
            var wait = _startedAt + _startDelay - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
            }

            lastSent = time.GetUtcNow(); // spacing counts from when a report goes out, not from when the broker took it
            await _reports.TrySendAsync(new TaskStarted
            {
                TaskId = _message.TaskId,
                InstanceId = _message.InstanceId,
                Attempt = _message.Attempt,
                StartedAt = _startedAt,
                Worker = TaskReports.Worker,
            }, _message.InstanceId, _message.Attempt, cancellationToken).ConfigureAwait(false);
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            var due = Volatile.Read(ref _pending) == 1 ? lastSent + _spacing : _heartbeats ? lastSent + _interval : now + TimeSpan.FromDays(1);
            if (now < due)
            {
                await _requested.WaitAsync(due - now, time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            Interlocked.Exchange(ref _pending, 0);
            lastSent = now;
            await SendHeartbeatAsync(now, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task<bool> SendHeartbeatAsync(DateTimeOffset at, CancellationToken cancellationToken) => _reports.TrySendAsync(new TaskHeartbeat
    {
        TaskId = _message.TaskId,
        InstanceId = _message.InstanceId,
        Attempt = _message.Attempt,
        At = at,
        StartedAt = _startedAt,
    }, _message.InstanceId, _message.Attempt, cancellationToken);
}
