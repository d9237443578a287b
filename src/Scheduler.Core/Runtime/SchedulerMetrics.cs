using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Scheduler.Core.Storage;

namespace Scheduler.Core.Runtime;

/// <summary>
/// The node's metrics, on the <see cref="Meter"/> named <c>BrokerScheduler</c> (<see cref="MeterName"/>), created by the host's
/// <see cref="IMeterFactory"/> (collect it with OpenTelemetry's <c>AddMeter(SchedulerMetrics.MeterName)</c> or
/// <c>dotnet-counters monitor --counters BrokerScheduler</c>). Every measurement carries the tag <c>scheduler.node</c> (the node id). A
/// singleton per node, registered by <c>AddSchedulerCore</c>.
/// </summary>
/// <remarks>
/// <para>The sends of <c>TaskDue</c> are measured as OpenTelemetry's messaging client metrics (semantic conventions v1.36.0), tagged
/// <c>messaging.system</c>, <c>messaging.operation.name</c> (<c>send</c>, <c>publish</c>), <c>messaging.destination.name</c>,
/// <c>server.address</c> and <c>server.port</c> as far as the dispatcher knows them (<see cref="DispatchTelemetry"/>), and <c>error.type</c>
/// (the exception's type) when the broker did not accept the message: <c>messaging.client.sent.messages</c> (counter, <c>{message}</c>) and
/// <c>messaging.client.operation.duration</c> (histogram, seconds, from the start of the send to the broker's confirmation or the failure).
/// A send the open circuit breaker stopped never reached the broker and is in neither.</para>
/// <para>The scheduler's own counters, in the <c>scheduler.</c> namespace: <c>scheduler.tasks.scheduled</c> (task definitions stored: new ones,
/// not repeats of a command), <c>scheduler.instances.materialized</c> (task instances created by the scheduler loop),
/// <c>scheduler.instances.claimed</c> (claims taken by the runner loop), <c>scheduler.dispatch.failures</c> (dispatches that failed: the
/// broker refused or did not confirm, or the circuit breaker was open; the claim is released, or the attempt used up when the message itself
/// was refused), <c>scheduler.instances.completed</c> (completions recorded), <c>scheduler.attempts.failed</c> (attempts a worker reported
/// failed), <c>scheduler.attempts.retried</c> (retries scheduled after a failed attempt or a refused dispatch),
/// <c>scheduler.instances.dead_lettered</c> (instances failed for good, tagged <c>scheduler.cause</c>: <c>expired</c> (the last attempt's
/// ExpireAfter ran out), <c>failed</c> (the last attempt failed) or <c>dispatch_refused</c> (the last attempt's TaskDue was refused)),
/// <c>scheduler.instances.skipped</c> (occurrences not run by the overlap policy). Histogram: <c>scheduler.dispatch.lateness</c> (seconds from
/// an instance's due time to its dispatch; never negative). Gauges: <c>scheduler.instances.held</c> (claims this node holds: waiting for
/// their due time or being dispatched) and <c>scheduler.instances.backlog</c> (of those, the ones already due: the runner's own view, without
/// a query; instances no node has claimed are not counted), <c>scheduler.destinations.without_consumer</c> (destination queues without a
/// consumer for the grace; their tasks wait).</para>
/// <para>The histograms advise bucket boundaries in seconds (<see cref="InstrumentAdvice{T}"/>), so an exporter's default buckets (made for
/// milliseconds) do not put every sub-10 ms value in one bucket: <c>messaging.client.operation.duration</c> those of the conventions,
/// 5 ms to 10 s; <c>scheduler.dispatch.lateness</c> 1 ms to 5 min.</para>
/// </remarks>
public sealed class SchedulerMetrics
{
    /// <summary>The meter's name: <c>BrokerScheduler</c> (the packages' id prefix, so no other library's meter has it).</summary>
    public const string MeterName = "BrokerScheduler";

    /// <summary>The bucket boundaries, in seconds, that OpenTelemetry's messaging conventions give <c>messaging.client.operation.duration</c>.</summary>
    private static readonly double[] SendDurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    /// <summary>The bucket boundaries, in seconds, of <c>scheduler.dispatch.lateness</c>: a node keeping up dispatches within milliseconds,
    /// one behind or waiting for the broker within seconds to minutes.</summary>
    private static readonly double[] LatenessBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

    private readonly KeyValuePair<string, object?> _node;
    private Func<int>? _held;
    private Func<int>? _backlog;
    private Func<int>? _withoutConsumer;

    /// <summary>Creates the node's instruments on a meter from <paramref name="meterFactory"/>.</summary>
    public SchedulerMetrics(IMeterFactory meterFactory, IOptions<SchedulerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(options);
        _node = new KeyValuePair<string, object?>("scheduler.node", options.Value.NodeId);
        var meter = meterFactory.Create(new MeterOptions(MeterName) { Version = typeof(SchedulerMetrics).Assembly.GetName().Version?.ToString() });
        Scheduled = meter.CreateCounter<long>("scheduler.tasks.scheduled", "{task}", "Task definitions stored (new ones, not repeats).");
        Materialized = meter.CreateCounter<long>("scheduler.instances.materialized", "{instance}", "Task instances created by the scheduler loop.");
        Claimed = meter.CreateCounter<long>("scheduler.instances.claimed", "{instance}", "Task instances claimed by the runner loop.");
        SentMessages = meter.CreateCounter<long>("messaging.client.sent.messages", "{message}",
            "TaskDue messages the node attempted to send to the broker (tagged error.type when the broker did not accept one).");
        SendDuration = meter.CreateHistogram("messaging.client.operation.duration", "s", "Duration of each send of TaskDue to the broker.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SendDurationBuckets });
        DispatchFailures = meter.CreateCounter<long>("scheduler.dispatch.failures", "{instance}",
            "Dispatches of TaskDue that failed (broker or open circuit breaker); the claim is released, or the attempt used up when the broker refused the message itself.");
        Completed = meter.CreateCounter<long>("scheduler.instances.completed", "{instance}", "Completions of task instances recorded.");
        Failed = meter.CreateCounter<long>("scheduler.attempts.failed", "{attempt}", "Attempts a worker reported failed.");
        Retried = meter.CreateCounter<long>("scheduler.attempts.retried", "{attempt}",
            "Retries scheduled after a failed attempt or a refused dispatch.");
        DeadLettered = meter.CreateCounter<long>("scheduler.instances.dead_lettered", "{instance}",
            "Task instances failed for good, by cause: expired, failed, dispatch_refused.");
        Skipped = meter.CreateCounter<long>("scheduler.instances.skipped", "{instance}",
            "Occurrences not run because an earlier occurrence of their task was still active (overlap policy).");
        Lateness = meter.CreateHistogram("scheduler.dispatch.lateness", "s", "Time from a task instance's due time to its dispatch.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatenessBuckets });
        meter.CreateObservableGauge("scheduler.instances.held", () => Observe(_held), "{instance}",
            "Claims this node holds: waiting for their due time or being dispatched.");
        meter.CreateObservableGauge("scheduler.instances.backlog", () => Observe(_backlog), "{instance}",
            "Claims this node holds whose due time has passed and that are not yet dispatched.");
        meter.CreateObservableGauge("scheduler.destinations.without_consumer", () => Observe(_withoutConsumer), "{queue}",
            "Destination queues this node dispatches to that have had no consumer for Scheduler:DestinationGrace; their tasks wait.");
    }

    internal Counter<long> Scheduled { get; }

    internal Counter<long> Materialized { get; }

    internal Counter<long> Claimed { get; }

    internal Counter<long> SentMessages { get; }

    internal Histogram<double> SendDuration { get; }

    internal Counter<long> DispatchFailures { get; }

    internal Counter<long> Completed { get; }

    internal Counter<long> Failed { get; }

    internal Counter<long> Retried { get; }

    internal Counter<long> DeadLettered { get; }

    internal Counter<long> Skipped { get; }

    internal Histogram<double> Lateness { get; }

    /// <summary>The tag every measurement carries: <c>scheduler.node</c> = the node id.</summary>
    internal KeyValuePair<string, object?> Node => _node;

    /// <summary>Counts what the store applied of the task instance saga's decisions: a completion, a failed attempt and its retry, or a
    /// failed attempt that was the last (its dead letter, cause <c>failed</c>, is counted when it is announced). Starts and heartbeats are not
    /// counted.</summary>
    /// <param name="outcome">An outcome <see cref="IOutcomeStore.ApplyOutcomesAsync"/> applied.</param>
    public void OutcomeApplied(InstanceOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        switch (outcome.Kind)
        {
            case OutcomeKind.Completed:
                Completed.Add(1, _node);
                break;
            case OutcomeKind.RetryScheduled:
                Failed.Add(1, _node);
                Retried.Add(1, _node);
                break;
            case OutcomeKind.DeadLettered:
                Failed.Add(1, _node); // the dead letter itself is counted where it is announced (DeadLetterNotifier)
                break;
        }
    }

    /// <summary>Records one send of TaskDue to the broker that took <paramref name="duration"/>: in <c>messaging.client.sent.messages</c>
    /// and <c>messaging.client.operation.duration</c>, tagged as <paramref name="target"/> describes it, with <c>error.type</c> when it failed
    /// with <paramref name="error"/>.</summary>
    internal void RecordSend(DispatchTelemetry target, string operation, TimeSpan duration, Exception? error)
    {
        var tags = new TagList { _node, { "messaging.operation.name", operation } };
        AddIfKnown(ref tags, "messaging.system", target.System);
        AddIfKnown(ref tags, "messaging.destination.name", target.DestinationName);
        AddIfKnown(ref tags, "server.address", target.ServerAddress);
        if (target.ServerPort is { } port)
        {
            tags.Add("server.port", port);
        }

        AddIfKnown(ref tags, "error.type", error?.GetType().FullName);
        SentMessages.Add(1, tags);
        SendDuration.Record(duration.TotalSeconds, tags);
    }

    private static void AddIfKnown(ref TagList tags, string key, string? value)
    {
        if (value is not null)
        {
            tags.Add(key, value);
        }
    }

    internal void CountDeadLettered(DeadLetterCause cause) =>
        DeadLettered.Add(1, _node, new KeyValuePair<string, object?>("scheduler.cause", cause switch
        {
            DeadLetterCause.Expired => "expired",
            DeadLetterCause.Failed => "failed",
            _ => "dispatch_refused",
        }));

    /// <summary>Gives the gauge <c>scheduler.destinations.without_consumer</c> its source.</summary>
    internal void ObserveDestinations(Func<int> withoutConsumer) => _withoutConsumer = withoutConsumer;

    /// <summary>Gives the gauges their sources: the runner's held claims and its due ones.</summary>
    internal void ObserveRunner(Func<int> held, Func<int> backlog)
    {
        _held = held;
        _backlog = backlog;
    }

    private IEnumerable<Measurement<int>> Observe(Func<int>? source) =>
        source is null ? [] : [new Measurement<int>(source(), _node)];
}
