using System.Diagnostics;
using Scheduler.Core.Storage;

namespace Scheduler.Core.Runtime;

/// <summary>
/// The node's spans, on the <see cref="ActivitySource"/> named <c>BrokerScheduler</c> (<see cref="SourceName"/>; collect it with OpenTelemetry's
/// <c>AddSource(SchedulerTracing.SourceName)</c>).
/// </summary>
/// <remarks>
/// <para>The dispatch of a <c>TaskDue</c> is a producer span that follows OpenTelemetry's messaging semantic conventions (v1.36.0): it is named
/// <c>{messaging.operation.name} {messaging.destination.name}</c> — <c>send orders</c> for a task with destination queue <c>orders</c>,
/// <c>publish Scheduler.Contracts:TaskDue</c> for a published one — and carries <c>messaging.system</c>, <c>messaging.operation.name</c>
/// (<c>send</c>, <c>publish</c>), <c>messaging.operation.type</c> (<c>send</c>), <c>messaging.destination.name</c>, <c>messaging.message.id</c>,
/// <c>server.address</c> and <c>server.port</c> as far as the dispatcher knows them (<see cref="DispatchTelemetry"/>), with the task id,
/// instance id, attempt and node (<c>scheduler.task_id</c>, <c>scheduler.instance_id</c>, <c>scheduler.attempt</c>, <c>scheduler.node</c>).
/// MassTransit's send span nests under it, so the worker's consume joins its trace. A dispatch of a one-off task continues the trace of the
/// ScheduleTask that created it (its parent is the schedule span); a dispatch of a recurring task starts a trace of its own with a link to
/// that schedule span, so one trace does not grow with every occurrence.</para>
/// <para>The node's own work, not messaging operations, is in internal spans named in the <c>scheduler.</c> namespace:
/// <c>scheduler.schedule</c> (validating and storing one ScheduleTask command; a child of the command's own trace, its W3C traceparent kept
/// with the task definition), <c>scheduler.materialize</c> (one scheduler loop batch), <c>scheduler.claim</c> (one runner claim batch) and
/// <c>scheduler.outcome</c> (the saga applying a worker's report). Materialize and claim spans of ticks that found nothing are not
/// recorded.</para>
/// </remarks>
public static class SchedulerTracing
{
    /// <summary>The activity source's name: <c>BrokerScheduler</c> (the packages' id prefix, so no other library's source has it).</summary>
    public const string SourceName = "BrokerScheduler";

    internal static readonly ActivitySource Source = new(SourceName, typeof(SchedulerTracing).Assembly.GetName().Version?.ToString());

    /// <summary>Starts the span <c>scheduler.outcome</c>: the task instance saga applying <paramref name="outcome"/> (a worker's report) in the
    /// store, a child of the current activity (the saga's consume). <see langword="null"/> when nobody listens.</summary>
    /// <param name="outcome">The decision being applied.</param>
    /// <param name="taskId">The instance's task.</param>
    public static Activity? StartOutcome(InstanceOutcome outcome, Guid taskId)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var activity = Source.StartActivity("scheduler.outcome", ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("scheduler.task_id", taskId.ToString());
            activity.SetTag("scheduler.instance_id", outcome.InstanceId.ToString());
            activity.SetTag("scheduler.attempt", outcome.Attempt);
            activity.SetTag("scheduler.outcome", outcome.Kind.ToString());
        }

        return activity;
    }

    /// <summary>Starts the span of a loop batch (<c>scheduler.materialize</c>, <c>scheduler.claim</c>), a root.</summary>
    internal static Activity? StartLoopBatch(string name, string nodeId)
    {
        var previous = Activity.Current;
        Activity.Current = null; // a loop's tick belongs to no request's trace
        var activity = Source.StartActivity(name, ActivityKind.Internal);
        activity?.SetTag("scheduler.node", nodeId);
        if (activity is null)
        {
            Activity.Current = previous;
        }

        return activity;
    }

    /// <summary>Ends a loop batch's span; one that did nothing (not <paramref name="didWork"/>) is not recorded, so idle polls export nothing.</summary>
    internal static void EndLoopBatch(Activity? activity, bool didWork)
    {
        if (activity is null)
        {
            return;
        }

        if (!didWork)
        {
            activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        }

        activity.Dispose();
    }

    /// <summary>Ends a span with an error status naming <paramref name="exception"/>, and its type as <c>error.type</c>.</summary>
    internal static void Fail(Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag("error.type", exception.GetType().FullName);
        activity.SetStatus(ActivityStatusCode.Error, $"{exception.GetType().Name}: {exception.Message}");
        activity.Dispose();
    }

    /// <summary>The W3C traceparent to keep with a task: its schedule span's, else (nobody listens) its command's <paramref name="parent"/>
    /// context, else the current activity's; <see langword="null"/> outside any trace.</summary>
    internal static string? TraceParentOf(Activity? span, ActivityContext parent)
    {
        if (span is { IdFormat: ActivityIdFormat.W3C, Id: { } id })
        {
            return id;
        }

        if (parent != default)
        {
            return $"00-{parent.TraceId.ToHexString()}-{parent.SpanId.ToHexString()}-{(parent.TraceFlags.HasFlag(ActivityTraceFlags.Recorded) ? "01" : "00")}";
        }

        return Activity.Current is { IdFormat: ActivityIdFormat.W3C, Id: { } current } ? current : null;
    }

    /// <summary>Starts the span <c>scheduler.schedule</c> for one command: a child of <paramref name="parent"/> when given, else of the
    /// current activity.</summary>
    internal static Activity? StartSchedule(ActivityContext parent, Guid? taskId)
    {
        var activity = parent == default
            ? Source.StartActivity("scheduler.schedule", ActivityKind.Internal)
            : Source.StartActivity("scheduler.schedule", ActivityKind.Internal, parent);
        if (activity is { IsAllDataRequested: true } && taskId is { } id)
        {
            activity.SetTag("scheduler.task_id", id.ToString());
        }

        return activity;
    }

    /// <summary>The <c>messaging.operation.name</c> of a dispatch to <paramref name="destinationQueue"/>: <c>send</c> to a queue,
    /// <c>publish</c> when it has none.</summary>
    internal static string OperationOf(string? destinationQueue) => destinationQueue is null ? "publish" : "send";

    /// <summary>Starts the producer span of one TaskDue send, <c>{operation} {destination}</c> (see the remarks of
    /// <see cref="SchedulerTracing"/>).</summary>
    internal static Activity? StartDispatch(ClaimedInstance claim, string nodeId, DispatchTelemetry target)
    {
        Activity.Current = null; // the dispatch belongs to the task's trace (or its own), not to whatever the runner's flow carries
        if (!Source.HasListeners())
        {
            return null;
        }

        var instance = claim.Instance;
        var operation = OperationOf(claim.DestinationQueue);
        var name = string.IsNullOrEmpty(target.DestinationName) ? operation : $"{operation} {target.DestinationName}";
        ActivityContext.TryParse(claim.TraceParent, null, isRemote: true, out var scheduled);
        var activity = scheduled != default && !claim.Recurring
            ? Source.StartActivity(name, ActivityKind.Producer, scheduled)
            : Source.StartActivity(name, ActivityKind.Producer, default(ActivityContext),
                links: scheduled != default ? [new ActivityLink(scheduled)] : null);
        if (activity is { IsAllDataRequested: true })
        {
            SetIfKnown(activity, "messaging.system", target.System);
            activity.SetTag("messaging.operation.name", operation);
            activity.SetTag("messaging.operation.type", "send");
            SetIfKnown(activity, "messaging.destination.name", target.DestinationName);
            SetIfKnown(activity, "messaging.message.id", target.MessageId);
            SetIfKnown(activity, "server.address", target.ServerAddress);
            if (target.ServerPort is { } port)
            {
                activity.SetTag("server.port", port);
            }

            activity.SetTag("scheduler.task_id", instance.DefinitionId.ToString());
            activity.SetTag("scheduler.instance_id", instance.Id.ToString());
            activity.SetTag("scheduler.attempt", instance.Attempt);
            activity.SetTag("scheduler.node", nodeId);
        }

        return activity;
    }

    private static void SetIfKnown(Activity activity, string key, string? value)
    {
        if (value is not null)
        {
            activity.SetTag(key, value);
        }
    }
}
