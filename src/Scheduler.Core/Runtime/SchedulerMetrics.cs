using System.Diagnostics.Metrics;

namespace Scheduler.Core.Runtime;

/// <summary>
/// The node's metrics, on the <see cref="Meter"/> named <c>Scheduler</c> (collect it with OpenTelemetry's <c>AddMeter("Scheduler")</c>
/// or <c>dotnet-counters monitor --counters Scheduler</c>).
/// </summary>
/// <remarks>
/// Instruments: <c>scheduler.instances.materialized</c> (task instances created by the scheduler loop),
/// <c>scheduler.instances.claimed</c> (claims taken by the runner loop), <c>scheduler.instances.dispatched</c> (TaskDue published or sent),
/// <c>scheduler.dispatch.failures</c> (publishes the broker refused; the claims are released),
/// <c>scheduler.instances.dead_lettered</c> (instances whose last attempt expired), and the histogram <c>scheduler.dispatch.lateness</c>
/// (milliseconds from an instance's due time to its publish; never negative). Every measurement carries the tag <c>scheduler.node</c>
/// (the node id).
/// </remarks>
public static class SchedulerMetrics
{
    /// <summary>The meter's name: <c>Scheduler</c>.</summary>
    public const string MeterName = "Scheduler";

    private static readonly Meter Meter = new(MeterName, typeof(SchedulerMetrics).Assembly.GetName().Version?.ToString());

    internal static readonly Counter<long> Materialized = Meter.CreateCounter<long>("scheduler.instances.materialized", "{instance}",
        "Task instances created by the scheduler loop.");

    internal static readonly Counter<long> Claimed = Meter.CreateCounter<long>("scheduler.instances.claimed", "{instance}",
        "Task instances claimed by the runner loop.");

    internal static readonly Counter<long> Dispatched = Meter.CreateCounter<long>("scheduler.instances.dispatched", "{instance}",
        "TaskDue messages published or sent.");

    internal static readonly Counter<long> DispatchFailures = Meter.CreateCounter<long>("scheduler.dispatch.failures", "{instance}",
        "Dispatches the broker refused; their claims are released.");

    internal static readonly Counter<long> DeadLettered = Meter.CreateCounter<long>("scheduler.instances.dead_lettered", "{instance}",
        "Task instances dead-lettered by the runner because their last attempt expired.");

    internal static readonly Counter<long> Skipped = Meter.CreateCounter<long>("scheduler.instances.skipped", "{instance}",
        "Occurrences not run because an earlier occurrence of their task was still active (overlap policy).");

    internal static KeyValuePair<string, object?> NodeTag(string nodeId) => new("scheduler.node", nodeId);

    internal static readonly Histogram<double> Lateness = Meter.CreateHistogram<double>("scheduler.dispatch.lateness", "ms",
        "Time from a task instance's due time to its dispatch.");
}
