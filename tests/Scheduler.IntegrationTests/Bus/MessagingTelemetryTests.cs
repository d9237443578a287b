using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Scheduler.Contracts;
using Scheduler.Core.Runtime;
using Xunit.Abstractions;

namespace Scheduler.IntegrationTests.Bus;

/// <summary>
/// Issue #20, item 5: over RabbitMQ, the dispatch of a <c>TaskDue</c> follows OpenTelemetry's messaging conventions: a producer span on the
/// source <c>BrokerScheduler</c> named <c>send {queue}</c> or <c>publish {exchange}</c>, with <c>messaging.system</c> = <c>rabbitmq</c>, the
/// destination and message id MassTransit's own send span names, the broker's address, MassTransit's send span nested under it; and the
/// sends counted in <c>messaging.client.sent.messages</c> on the meter <c>BrokerScheduler</c> with the same attributes.
/// </summary>
public sealed class MessagingTelemetryTests(BusEnvironmentFixture environment, ITestOutputHelper output) : BusTest(output), IClassFixture<BusEnvironmentFixture>
{
    [Fact]
    public async Task Dispatch_IsAMessagingSendOrPublishSpan_WithRabbitMqAttributes_AndCountedAsSentMessages()
    {
        var node = $"otel-{Guid.NewGuid():N}";
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is SchedulerTracing.SourceName or "MassTransit",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var sent = new ConcurrentQueue<Dictionary<string, object?>>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SchedulerMetrics.MeterName && instrument.Name == "messaging.client.sent.messages")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            var copy = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }

            if (Equals(copy.GetValueOrDefault("scheduler.node"), node))
            {
                sent.Enqueue(copy);
            }
        });
        meters.Start();

        await using var bus = new BusServices(environment, Output);
        await bus.StartNodeAsync(node);
        await bus.StartWorkerAsync("worker-a", ownTasksOnly: false);
        var client = await bus.StartClientAsync();
        var fireTime = Once.FromNow(TimeSpan.FromMilliseconds(500));
        var queued = await BusServices.ScheduleAsync(client, Once.At(fireTime));
        var published = await BusServices.ScheduleAsync(client, Once.At(fireTime) with { DestinationQueue = null, Broadcast = true });
        await bus.WaitForInstanceAsync(queued.TaskId, i => i.Status == TaskInstanceState.Completed, "the queued task completes");
        await bus.WaitForInstanceAsync(published.TaskId, i => i.Status == TaskInstanceState.Completed, "the published task completes");

        var send = Dispatch(spans, queued.TaskId);
        Assert.Equal($"send {BusServices.WorkerQueue}", send.DisplayName);
        var publish = Dispatch(spans, published.TaskId);
        Assert.Equal("publish Scheduler.Contracts:TaskDue", publish.DisplayName); // the exchange of TaskDue, MassTransit's default entity name
        foreach (var (dispatch, operation) in new[] { (send, "send"), (publish, "publish") })
        {
            Assert.Equal(ActivityKind.Producer, dispatch.Kind);
            Assert.Equal(("rabbitmq", operation, "send"), (dispatch.GetTagItem("messaging.system"), dispatch.GetTagItem("messaging.operation.name"),
                dispatch.GetTagItem("messaging.operation.type")));
            Assert.Equal(environment.Broker.Uri.Host, dispatch.GetTagItem("server.address"));
            Assert.Equal(node, dispatch.GetTagItem("scheduler.node"));
            var transport = Assert.Single(spans, a => a.Source.Name == "MassTransit" && a.Kind == ActivityKind.Producer && a.ParentSpanId == dispatch.SpanId);
            Assert.Equal(transport.GetTagItem("messaging.destination.name"), dispatch.GetTagItem("messaging.destination.name"));
            Assert.Equal(transport.GetTagItem("messaging.masstransit.message_id"), dispatch.GetTagItem("messaging.message.id"));
        }

        Assert.Equal(["publish Scheduler.Contracts:TaskDue", $"send {BusServices.WorkerQueue}"],
            sent.Select(t => $"{t["messaging.operation.name"]} {t["messaging.destination.name"]}").Order(StringComparer.Ordinal));
        Assert.All(sent, t => Assert.Equal(("rabbitmq", environment.Broker.Uri.Host), (t["messaging.system"], t["server.address"])));
        Assert.All(sent, t => Assert.False(t.ContainsKey("error.type")));
    }

    private static Activity Dispatch(IEnumerable<Activity> spans, Guid taskId) =>
        Assert.Single(spans, a => a.Source.Name == SchedulerTracing.SourceName && a.Kind == ActivityKind.Producer
            && Equals(a.GetTagItem("scheduler.task_id"), taskId.ToString()));
}
