using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Scheduler.Core.Storage;

namespace Scheduler.Core.Runtime;

/// <summary>
/// The node's metrics, on the <see cref="Meter"/> named <c>Scheduler</c>, created by the host's <see cref="IMeterFactory"/> (collect it with
/// OpenTelemetry's <c>AddMeter("Scheduler")</c> or <c>dotnet-counters monitor --counters Scheduler</c>). Every measurement carries the tag
/// <c>scheduler.node</c> (the node id). A singleton per node, registered by <c>AddSchedulerCore</c>.
/// </summary>
/// <remarks>
/// <para>Counters: <c>scheduler.tasks.scheduled</c> (task definitions stored: new ones, not repeats of a command), <c>scheduler.instances.materialized</c>
/// (task instances created by the scheduler loop), <c>scheduler.instances.claimed</c> (claims taken by the runner loop),
/// <c>scheduler.instances.dispatched</c> (TaskDue published or sent), <c>scheduler.dispatch.failures</c> (sends that failed: the broker
/// refused or did not confirm; the claim is released, or the attempt used up when the message itself was refused),
/// <c>scheduler.instances.completed</c> (completions recorded), <c>scheduler.attempts.failed</c> (attempts a worker reported failed),
/// <c>scheduler.attempts.retried</c> (retries scheduled after a failed attempt or a refused dispatch), <c>scheduler.instances.dead_lettered</c>
/// (instances failed for good, tagged <c>scheduler.cause</c>: <c>expired</c> (the last attempt's ExpireAfter ran out), <c>failed</c> (the last
/// attempt failed) or <c>dispatch_refused</c> (the last attempt's TaskDue was refused)), <c>scheduler.instances.skipped</c> (occurrences not
/// run by the overlap policy). Histogram: <c>scheduler.dispatch.lateness</c> (milliseconds from an instance's due time to its dispatch; never
/// negative). Gauges: <c>scheduler.instances.held</c> (claims this node holds: waiting for their due time or being dispatched) and
/// <c>scheduler.instances.backlog</c> (of those, the ones already due: the runner's own view, without a query; instances no node has claimed
/// are not counted), <c>scheduler.destinations.without_consumer</c> (destination queues without a consumer for the grace; their tasks wait).</para>
/// </remarks>
public sealed class SchedulerMetrics
{
    /// <summary>The meter's name: <c>Scheduler</c>.</summary>
    public const string MeterName = "Scheduler";

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
        Dispatched = meter.CreateCounter<long>("scheduler.instances.dispatched", "{instance}", "TaskDue messages published or sent.");
        DispatchFailures = meter.CreateCounter<long>("scheduler.dispatch.failures", "{instance}",
            "Sends of TaskDue that failed; the claim is released, or the attempt used up when the broker refused the message itself.");
        Completed = meter.CreateCounter<long>("scheduler.instances.completed", "{instance}", "Completions of task instances recorded.");
        Failed = meter.CreateCounter<long>("scheduler.attempts.failed", "{attempt}", "Attempts a worker reported failed.");
        Retried = meter.CreateCounter<long>("scheduler.attempts.retried", "{attempt}",
            "Retries scheduled after a failed attempt or a refused dispatch.");
        DeadLettered = meter.CreateCounter<long>("scheduler.instances.dead_lettered", "{instance}",
            "Task instances failed for good, by cause: expired, failed, dispatch_refused.");
        Skipped = meter.CreateCounter<long>("scheduler.instances.skipped", "{instance}",
            "Occurrences not run because an earlier occurrence of their task was still active (overlap policy).");
        Lateness = meter.CreateHistogram<double>("scheduler.dispatch.lateness", "ms", "Time from a task instance's due time to its dispatch.");
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

    internal Counter<long> Dispatched { get; }

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
