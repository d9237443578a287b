using System.Diagnostics;
using System.Globalization;
using Scheduler.Contracts;
using Scheduler.Core.Runtime;

namespace Scheduler.Core.Tests.Runtime;

/// <summary>
/// Issue #12, item 5: the node's spans (source <c>BrokerScheduler</c>) for schedule, materialize, claim and dispatch, and the dispatch's place
/// in the trace of the ScheduleTask that created the task; issue #20, item 5: the dispatch span follows OpenTelemetry's messaging conventions
/// (named <c>{operation} {destination}</c>, <c>messaging.*</c> attributes); in-memory store, fake time.
/// </summary>
public sealed class SchedulerTracingTests : IDisposable
{
    private static readonly ActivitySource Client = new("Scheduler.Tests.Client");

    private readonly ActivityRecorder _spans = new(SchedulerTracing.SourceName, Client.Name);
    private readonly LoopFixture _f = new(nodeId: $"trace-{Guid.NewGuid():N}");

    private static ScheduleTask Once(TimeSpan fromStart) =>
        new() { Trigger = (LoopFixture.Start + fromStart).ToString("O", CultureInfo.InvariantCulture) };

    private Activity Single(string name, string key, object value) => Assert.Single(_spans.Stopped(name, key, value));

    [Fact]
    public async Task Schedule_IsAChildOfTheCallersTrace_AndItsTraceparentIsStoredWithTheTask()
    {
        Guid taskId;
        ActivityContext caller;
        using (var request = Client.StartActivity("request")!)
        {
            caller = request.Context;
            taskId = await _f.ScheduleAsync(Once(TimeSpan.FromSeconds(1)));
        }

        var schedule = Single("scheduler.schedule", "scheduler.task_id", taskId.ToString());
        Assert.Equal(caller.TraceId, schedule.TraceId);
        Assert.Equal(caller.SpanId, schedule.ParentSpanId);
        Assert.Equal(false, schedule.GetTagItem("scheduler.already_scheduled"));
        Assert.Equal(schedule.Id, (await _f.Store.GetDefinitionAsync(taskId))!.TraceParent);
    }

    [Fact]
    public async Task ScheduleMany_GivesEachCommandASpanInItsOwnTrace_WhenTheCommandsCameFromDifferentTraces()
    {
        var first = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: true);
        var second = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: true);
        var results = await _f.Scheduling.ScheduleManyInTracesAsync([Once(TimeSpan.FromSeconds(1)), Once(TimeSpan.FromSeconds(2))], [first, second]);

        foreach (var (result, parent) in results.Zip([first, second]))
        {
            var span = Single("scheduler.schedule", "scheduler.task_id", result.Scheduled!.TaskId.ToString());
            Assert.Equal((parent.TraceId, parent.SpanId), (span.TraceId, span.ParentSpanId));
        }
    }

    [Fact]
    public async Task Schedule_SpanHasErrorStatus_WhenTheCommandIsRejected()
    {
        var taskId = Guid.NewGuid();
        await _f.Scheduling.ScheduleManyAsync([new ScheduleTask { TaskId = taskId, Trigger = "*/5 * * *" }]);

        var span = Single("scheduler.schedule", "scheduler.task_id", taskId.ToString());
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Contains("4 fields", span.StatusDescription, StringComparison.Ordinal);
    }

    [Fact]
    public void Source_IsNamedAfterThePackages_SoNoOtherLibrarysSourceHasIt() => Assert.Equal("BrokerScheduler", SchedulerTracing.SourceName);

    [Fact]
    public async Task Dispatch_OfAOneOffTask_ContinuesTheScheduleTrace_WithTaskInstanceAndAttemptTags()
    {
        Guid taskId;
        using (Client.StartActivity("request"))
        {
            taskId = await _f.ScheduleAsync(Once(TimeSpan.Zero));
        }

        await _f.TickAsync();

        var schedule = Single("scheduler.schedule", "scheduler.task_id", taskId.ToString());
        var dispatch = Single($"send {LoopFixture.DefaultQueue}", "scheduler.task_id", taskId.ToString());
        var instance = await _f.SingleInstanceAsync(taskId);
        Assert.Equal(schedule.TraceId, dispatch.TraceId);
        Assert.Equal(schedule.SpanId, dispatch.ParentSpanId);
        Assert.Equal(ActivityKind.Producer, dispatch.Kind);
        Assert.Equal(instance.Id.ToString(), dispatch.GetTagItem("scheduler.instance_id"));
        Assert.Equal(1, dispatch.GetTagItem("scheduler.attempt"));
        Assert.Equal(_f.Options.Value.NodeId, dispatch.GetTagItem("scheduler.node"));
    }

    [Fact]
    public async Task Dispatch_IsAMessagingSendSpan_NamedAfterItsOperationAndDestination()
    {
        var sent = await _f.ScheduleAsync(Once(TimeSpan.Zero) with { DestinationQueue = "orders" });
        var published = await _f.ScheduleAsync(Once(TimeSpan.Zero) with { Broadcast = true });
        await _f.TickAsync();

        var send = Single("send orders", "scheduler.task_id", sent.ToString());
        Assert.Equal(ActivityKind.Producer, send.Kind);
        Assert.Equal(("send", "send", "orders"), (send.GetTagItem("messaging.operation.name"), send.GetTagItem("messaging.operation.type"),
            send.GetTagItem("messaging.destination.name")));
        Assert.Null(send.GetTagItem("messaging.system")); // this dispatcher names no system: left out, not guessed
        Assert.Null(send.GetTagItem("scheduler.destination"));

        // A published TaskDue: this dispatcher knows no exchange, so the span is named after its operation alone.
        var publish = Single("publish", "scheduler.task_id", published.ToString());
        Assert.Equal(ActivityKind.Producer, publish.Kind);
        Assert.Equal(("publish", "send"), (publish.GetTagItem("messaging.operation.name"), publish.GetTagItem("messaging.operation.type")));
        Assert.Null(publish.GetTagItem("messaging.destination.name"));
    }

    [Fact]
    public async Task Dispatch_CarriesWhatTheDispatcherDescribes_AndTheErrorTypeWhenTheSendFails()
    {
        _f.Dispatcher.Describes = new DispatchTelemetry { System = "rabbitmq", ServerAddress = "broker.example", ServerPort = 5671, MessageId = "m-1" };
        var taskId = await _f.ScheduleAsync(Once(TimeSpan.Zero));
        _f.Dispatcher.Fail = true;
        await _f.TickAsync();

        var dispatch = Single($"send {LoopFixture.DefaultQueue}", "scheduler.task_id", taskId.ToString());
        Assert.Equal(("rabbitmq", "broker.example", 5671, "m-1"), (dispatch.GetTagItem("messaging.system"), dispatch.GetTagItem("server.address"),
            dispatch.GetTagItem("server.port"), dispatch.GetTagItem("messaging.message.id")));
        Assert.Equal(ActivityStatusCode.Error, dispatch.Status);
        Assert.Equal(typeof(InvalidOperationException).FullName, dispatch.GetTagItem("error.type"));
    }

    [Fact]
    public async Task Dispatch_OfARecurringTask_StartsItsOwnTrace_LinkedToTheScheduleSpan()
    {
        Guid taskId;
        using (Client.StartActivity("request"))
        {
            taskId = await _f.ScheduleAsync(new ScheduleTask { Trigger = "*/5 * * * * *" });
        }

        await _f.TickAsync();

        var schedule = Single("scheduler.schedule", "scheduler.task_id", taskId.ToString());
        var dispatch = Single($"send {LoopFixture.DefaultQueue}", "scheduler.task_id", taskId.ToString());
        Assert.NotEqual(schedule.TraceId, dispatch.TraceId);
        Assert.Null(dispatch.Parent);
        Assert.Equal(default, dispatch.ParentSpanId);
        var link = Assert.Single(dispatch.Links);
        Assert.Equal((schedule.TraceId, schedule.SpanId), (link.Context.TraceId, link.Context.SpanId));
    }

    [Fact]
    public async Task MaterializeAndClaim_AreRecordedRootSpans_WhenTheyFindWork_AndUnrecordedWhenIdle()
    {
        var node = _f.Options.Value.NodeId;
        await _f.TickAsync(); // nothing to do
        using (Client.StartActivity("request"))
        {
            await _f.ScheduleAsync(Once(TimeSpan.Zero));
            await _f.ScheduleAsync(Once(TimeSpan.FromSeconds(1)));
        }

        await _f.TickAsync();

        var materialize = _spans.Stopped("scheduler.materialize", "scheduler.node", node);
        Assert.Equal([false, true], materialize.Select(s => s.Recorded));
        Assert.Equal(2, materialize[1].GetTagItem("scheduler.instances"));
        Assert.Equal(default, materialize[1].ParentSpanId); // a loop's tick belongs to no request's trace
        var claim = _spans.Stopped("scheduler.claim", "scheduler.node", node);
        Assert.Equal([false, true], claim.Select(s => s.Recorded));
        Assert.Equal(2, claim[1].GetTagItem("scheduler.instances"));
    }

    public void Dispose()
    {
        _f.Dispose();
        _spans.Dispose();
    }
}
