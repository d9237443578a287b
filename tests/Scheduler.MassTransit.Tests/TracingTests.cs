using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Runtime;

namespace Scheduler.MassTransit.Tests;

/// <summary>
/// Issue #12, item 5: a task's trace runs from the ScheduleTask the client sent to the worker's handler: the node's schedule span joins the
/// command's trace, the dispatch span continues it, MassTransit's send nests under the dispatch, so the worker's consume shares the trace id;
/// the saga's outcome span follows in the same trace. Issue #20, item 5: the dispatch span is a messaging send span named
/// <c>send {queue}</c>, whose message id is the one MassTransit sends. MassTransit's test harness, fake time.
/// </summary>
public sealed class TracingTests : IDisposable
{
    private const string ClientName = "Scheduler.Tests.BusClient";
    private static readonly ActivitySource Client = new(ClientName);
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public TracingTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is SchedulerTracing.SourceName or "MassTransit" or ClientName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    [Fact]
    public async Task WorkerConsume_SharesTheTraceIdOfTheScheduleTaskSpan_ThroughScheduleDispatchAndSend()
    {
        await using var f = await BusFixture.StartAsync();
        var taskId = Guid.NewGuid();
        ActivityTraceId clientTrace;
        using (var request = Client.StartActivity("client sends ScheduleTask")!)
        {
            clientTrace = request.TraceId;
            Assert.IsType<TaskScheduled>(await f.ScheduleAsync(new ScheduleTask
            {
                TaskId = taskId,
                Trigger = BusFixture.Start.ToString("O", CultureInfo.InvariantCulture),
            }));
        }

        var completed = await f.WaitForInstanceAsync(taskId, i => i.Status == TaskInstanceState.Completed);
        await BusFixture.Eventually(() => Spans("scheduler.outcome", taskId).Count == 1, "the saga's outcome span ends");

        var consumed = Assert.Single(f.Recorder.Of<ConsumedIn>(), c => c.InstanceId == completed.Id);
        Assert.Equal(clientTrace, consumed.TraceId); // the worker's handler ran in the client's trace
        var schedule = Assert.Single(Spans("scheduler.schedule", taskId));
        var dispatch = Assert.Single(Spans($"send {BusFixture.WorkerQueue}", taskId));
        Assert.Equal(clientTrace, schedule.TraceId);
        Assert.Equal((clientTrace, schedule.SpanId), (dispatch.TraceId, dispatch.ParentSpanId));
        Assert.Equal((ActivityKind.Producer, "send", BusFixture.WorkerQueue), (dispatch.Kind, dispatch.GetTagItem("messaging.operation.name"),
            dispatch.GetTagItem("messaging.destination.name")));
        Assert.Null(dispatch.GetTagItem("messaging.system")); // the in-memory transport is no messaging system the conventions name
        var send = Assert.Single(_stopped, a => a.Source.Name == "MassTransit" && a.Kind == ActivityKind.Producer && a.ParentSpanId == dispatch.SpanId);
        Assert.Equal(clientTrace, send.TraceId); // MassTransit's send of TaskDue nests under the dispatch
        Assert.Equal(send.GetTagItem("messaging.masstransit.message_id"), dispatch.GetTagItem("messaging.message.id")); // the attempt's id
        Assert.Equal(send.GetTagItem("messaging.destination.name"), dispatch.GetTagItem("messaging.destination.name"));
        var outcome = Assert.Single(Spans("scheduler.outcome", taskId));
        Assert.Equal((clientTrace, nameof(Core.Storage.OutcomeKind.Completed)), (outcome.TraceId, outcome.GetTagItem("scheduler.outcome")));
    }

    private List<Activity> Spans(string name, Guid taskId) =>
        _stopped.Where(a => a.OperationName == name && Equals(a.GetTagItem("scheduler.task_id"), taskId.ToString())).ToList();

    public void Dispose() => _listener.Dispose();
}
