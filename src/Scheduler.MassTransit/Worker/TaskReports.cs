using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scheduler.Contracts;
using Scheduler.Core.Runtime;

namespace Scheduler.MassTransit.Worker;

/// <summary>
/// A worker's reports to the scheduler, one per process (<c>AddTaskReporting</c>): every report is published on the bus within
/// <see cref="TaskReportingOptions.SendTimeout"/> (<see cref="BrokerCall"/>), never holding a handler or its endpoint longer; an outcome that
/// could not be sent is sent again in the background until <see cref="TaskReportingOptions.OutcomeRetryLimit"/>. It also remembers the attempts
/// this worker finished lately, so a copy of one that the broker delivers again (after a connection loss took its acknowledgement) is
/// recognised as stale.
/// </summary>
/// <remarks>
/// <para>Reports go out together (<see cref="TaskReportingOptions.BatchReports"/>, on by default): those handed in while a report message is on
/// its way to the broker leave together in the next <see cref="Contracts.TaskReportBatch"/>, at most <see cref="Contracts.TaskReportBatch.MaxReports"/>
/// per message and two messages in flight (group commit: no timer, so a lone report leaves at once and adds no latency, and under load one message
/// carries many). A batch that cannot be sent fails every report in it, as a single report would have failed.</para>
/// </remarks>
/// <remarks>
/// Metrics, on the meter <c>BrokerScheduler.Worker</c> (<see cref="TaskReportingOptions.MeterName"/>): <c>scheduler.worker.deliveries.stale</c> (deliveries of <c>TaskDue</c> acknowledged without
/// running the handler, tagged <c>scheduler.reason</c>: <c>queue_timeout</c> — received after its <c>StartBy</c>, when the scheduler may have
/// dispatched the next attempt — <c>finished</c> — an attempt this worker already finished — or <c>running</c> — a copy of an attempt that
/// runs here now), <c>scheduler.worker.reports.failed</c> (report
/// sends that failed or timed out, tagged <c>scheduler.report</c>) and <c>scheduler.worker.reports.dropped</c> (outcomes given up after the
/// retry limit), and <c>scheduler.worker.reports.batch.size</c> (reports per <see cref="TaskReportBatch"/> sent).
/// </remarks>
internal sealed partial class TaskReports : IDisposable
{
    private const int RememberedAttempts = 10_000;
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    private readonly IBus _bus;
    private readonly TaskReportingOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<TaskReports> _logger;
    private readonly Counter<long> _stale;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _dropped;
    private readonly Histogram<int> _batchSize;
    private readonly Channel<Outcome> _retries = Channel.CreateUnbounded<Outcome>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<(Guid InstanceId, int Attempt), byte> _finished = new();
    private readonly ConcurrentDictionary<(Guid InstanceId, int Attempt), CancellationToken> _running = new();
    private readonly ConcurrentQueue<(Guid InstanceId, int Attempt)> _finishedOrder = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lazy<Task> _retrying;
    private readonly GroupCommit<Report, bool>? _batches;

    public TaskReports(IBus bus, IOptions<TaskReportingOptions> options, TimeProvider timeProvider, IMeterFactory meterFactory, ILogger<TaskReports> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(meterFactory);
        _bus = bus;
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
        var meter = meterFactory.Create(TaskReportingOptions.MeterName);
        _stale = meter.CreateCounter<long>("scheduler.worker.deliveries.stale", "{delivery}",
            "TaskDue deliveries acknowledged without running the handler: received after StartBy, or an attempt this worker already finished.");
        _failed = meter.CreateCounter<long>("scheduler.worker.reports.failed", "{report}", "Report sends that failed or timed out.");
        _dropped = meter.CreateCounter<long>("scheduler.worker.reports.dropped", "{report}",
            "Outcome reports given up after TaskReporting:OutcomeRetryLimit; their attempts expire and run again.");
        _batchSize = meter.CreateHistogram<int>("scheduler.worker.reports.batch.size", "{report}",
            "Reports per TaskReportBatch message sent (after an outcome superseded a start or heartbeat of its attempt).",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100] });
        _retrying = new Lazy<Task>(() => Task.Run(RetryLoopAsync));
        _batches = _options.BatchReports ? new GroupCommit<Report, bool>(PublishBatchAsync, TaskReportBatch.MaxReports) : null;
    }

    /// <summary>The settings.</summary>
    public TaskReportingOptions Options => _options;

    /// <summary>The worker's clock.</summary>
    public TimeProvider TimeProvider => _timeProvider;

    /// <summary>This worker as its reports name it (<see cref="Contracts.TaskStarted.Worker"/>): host name and process id, <c>host/pid</c>.</summary>
    public static string Worker { get; } = $"{Environment.MachineName}/{Environment.ProcessId}";

    /// <summary>Whether this worker finished (<paramref name="instanceId"/>, <paramref name="attempt"/>) lately (the last 10,000 attempts).</summary>
    public bool Finished(Guid instanceId, int attempt) => _finished.ContainsKey((instanceId, attempt));

    /// <summary>
    /// Marks the attempt as running here, unless another copy of it runs here already and was not cancelled (a copy the node sent again after
    /// its confirmation timed out): then returns <see langword="false"/> and the copy is stale. A copy whose delivery a connection loss cancelled
    /// does not count: the broker delivers it again, and that copy runs. Dispose the returned scope when the handler returns.
    /// </summary>
    public bool TryRun(Guid instanceId, int attempt, CancellationToken delivery, out IDisposable running)
    {
        var key = (instanceId, attempt);
        var added = _running.AddOrUpdate(key, delivery, (_, current) => current.IsCancellationRequested ? delivery : current);
        running = new Running(_running, key, delivery);
        return added == delivery;
    }

    /// <summary>Counts a delivery acknowledged without running its handler, for <paramref name="reason"/>.</summary>
    public void CountStale(string reason) => _stale.Add(1, new KeyValuePair<string, object?>("scheduler.reason", reason));

    /// <summary>
    /// Publishes an outcome (<see cref="Contracts.TaskCompleted"/> or <see cref="Contracts.TaskFailed"/>) within the send timeout, and remembers the
    /// attempt as finished; one that cannot be sent now is handed to the background retries. Never throws.
    /// </summary>
    public async Task SendOutcomeAsync<T>(T report, Guid instanceId, int attempt)
        where T : class
    {
        Remember(instanceId, attempt);
        var outcome = new Outcome(new Report(report, instanceId, attempt), _timeProvider.GetUtcNow());
        try
        {
            await SendAsync(outcome.Report, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogOutcomeRetrying(ex, outcome.Report.Kind, instanceId, attempt);
            _retries.Writer.TryWrite(outcome);
            _ = _retrying.Value;
        }
    }

    /// <summary>Publishes a start or a heartbeat within the send timeout; <see langword="false"/> when it could not (the next one supersedes it).</summary>
    public async Task<bool> TrySendAsync<T>(T report, Guid instanceId, int attempt, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            await SendAsync(new Report(report, instanceId, attempt), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false; // the handler returned meanwhile: its outcome says the rest
        }
        catch (Exception ex)
        {
            LogAliveFailed(ex, typeof(T).Name, instanceId, attempt);
            return false;
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _retries.Writer.TryComplete();
        var unsent = 0;
        while (_retries.Reader.TryRead(out _))
        {
            unsent++;
        }

        if (unsent > 0)
        {
            _dropped.Add(unsent);
            LogUnsentAtStop(unsent);
        }

        _stopping.Dispose();
        _batches?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Sends one report: in the next batch, or alone when batching is off; either way its caller waits at most the send timeout from
    /// now, also while earlier batches hold the way (a broker that does not answer): then it throws <see cref="TimeoutException"/> (the batch
    /// may still carry the report later; a report sent twice changes nothing the second time). Cancelling <paramref name="cancellationToken"/>
    /// ends the wait, not the batch.</summary>
    private Task SendAsync(Report report, CancellationToken cancellationToken) =>
        _batches is null
            ? PublishAsync(ct => _bus.Publish(report.Message, report.Message.GetType(), ct), [report], report.Describe(), cancellationToken)
            : _batches.WriteAsync(report).WaitAsync(_options.SendTimeout, _timeProvider, cancellationToken);

    private async Task<IReadOnlyList<bool>> PublishBatchAsync(IReadOnlyList<Report> reports, CancellationToken cancellationToken)
    {
        var batch = TaskReportBatchOf(reports);
        await PublishAsync(ct => _bus.Publish(batch, ct), reports, $"{reports.Count} reports", cancellationToken).ConfigureAwait(false);
        _batchSize.Record(batch.Started.Count + batch.Heartbeats.Count + batch.Completed.Count + batch.Failed.Count);
        return [.. reports.Select(_ => true)];
    }

    private async Task PublishAsync(Func<CancellationToken, Task> publish, IReadOnlyList<Report> reports, string what, CancellationToken cancellationToken)
    {
        try
        {
            await BrokerCall.RunAsync(publish, _options.SendTimeout, $"accept {what}", "TaskReporting:SendTimeout", _timeProvider, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            foreach (var report in reports)
            {
                _failed.Add(1, new KeyValuePair<string, object?>("scheduler.report", report.Kind));
            }

            throw;
        }
    }

    /// <summary>The batch that carries <paramref name="reports"/>: one report per attempt, an outcome over a start or heartbeat of its
    /// attempt, and the last start or heartbeat over an earlier one.</summary>
    private static TaskReportBatch TaskReportBatchOf(IReadOnlyList<Report> reports)
    {
        var latest = new Dictionary<(Guid, int), Report>();
        foreach (var report in reports)
        {
            var key = (report.InstanceId, report.Attempt);
            if (!latest.TryGetValue(key, out var kept) || !kept.IsOutcome || report.IsOutcome)
            {
                latest[key] = report;
            }
        }

        var messages = latest.Values.Select(r => r.Message).ToList();
        return new TaskReportBatch
        {
            Started = [.. messages.OfType<TaskStarted>()],
            Heartbeats = [.. messages.OfType<TaskHeartbeat>()],
            Completed = [.. messages.OfType<TaskCompleted>()],
            Failed = [.. messages.OfType<TaskFailed>()],
        };
    }

    private void Remember(Guid instanceId, int attempt)
    {
        if (_finished.TryAdd((instanceId, attempt), 0))
        {
            _finishedOrder.Enqueue((instanceId, attempt));
            while (_finishedOrder.Count > RememberedAttempts && _finishedOrder.TryDequeue(out var oldest))
            {
                _finished.TryRemove(oldest, out _);
            }
        }
    }

    /// <summary>Sends the outcomes that could not be sent at once, oldest first, each again after a growing delay while the broker refuses it.</summary>
    private async Task RetryLoopAsync()
    {
        try
        {
            await foreach (var outcome in _retries.Reader.ReadAllAsync(_stopping.Token).ConfigureAwait(false))
            {
                var delay = TimeSpan.FromSeconds(1);
                while (true)
                {
                    var report = outcome.Report;
                    if (_timeProvider.GetUtcNow() - outcome.Since > _options.OutcomeRetryLimit)
                    {
                        _dropped.Add(1);
                        LogOutcomeDropped(report.Kind, report.InstanceId, report.Attempt, _options.OutcomeRetryLimit.TotalSeconds);
                        break;
                    }

                    try
                    {
                        await SendAsync(report, _stopping.Token).ConfigureAwait(false);
                        LogOutcomeSent(report.Kind, report.InstanceId, report.Attempt);
                        break;
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !_stopping.IsCancellationRequested)
                    {
                        await Task.Delay(delay, _timeProvider, _stopping.Token).ConfigureAwait(false);
                        delay = delay * 2 > MaxRetryDelay ? MaxRetryDelay : delay * 2;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // the worker is stopping: what is left is counted and logged by Dispose
        }
    }

    private sealed class Running(ConcurrentDictionary<(Guid, int), CancellationToken> running, (Guid, int) key, CancellationToken delivery) : IDisposable
    {
        public void Dispose() => running.TryRemove(KeyValuePair.Create(key, delivery));
    }

    /// <summary>One report: <see cref="TaskStarted"/>, <see cref="TaskHeartbeat"/>, <see cref="TaskCompleted"/> or <see cref="TaskFailed"/>.</summary>
    private sealed record Report(object Message, Guid InstanceId, int Attempt)
    {
        public string Kind => Message.GetType().Name;

        public bool IsOutcome => Message is TaskCompleted or TaskFailed;

        public string Describe() => $"{Kind} of task instance {InstanceId} attempt {Attempt}";
    }

    private sealed record Outcome(Report Report, DateTimeOffset Since);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not send {Kind} of task instance {InstanceId} attempt {Attempt}; sending it again in the background")]
    private partial void LogOutcomeRetrying(Exception exception, string kind, Guid instanceId, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sent {Kind} of task instance {InstanceId} attempt {Attempt} after retrying")]
    private partial void LogOutcomeSent(string kind, Guid instanceId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gave up sending {Kind} of task instance {InstanceId} attempt {Attempt} after {Seconds} s (TaskReporting:OutcomeRetryLimit); the attempt expires on the scheduler and runs again")]
    private partial void LogOutcomeDropped(string kind, Guid instanceId, int attempt, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not send {Kind} of task instance {InstanceId} attempt {Attempt}; the next report supersedes it")]
    private partial void LogAliveFailed(Exception exception, string kind, Guid instanceId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopping with {Count} outcome reports unsent; their attempts expire on the scheduler and run again")]
    private partial void LogUnsentAtStop(int count);
}
