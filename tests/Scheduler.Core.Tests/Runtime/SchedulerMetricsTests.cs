using System.Globalization;
using Scheduler.Contracts;
using Scheduler.Core.Runtime;
using Scheduler.Core.Storage;

namespace Scheduler.Core.Tests.Runtime;

/// <summary>
/// Issue #12, item 5: the node's metrics (meter <c>BrokerScheduler</c>, made by the host's <see cref="System.Diagnostics.Metrics.IMeterFactory"/>),
/// each tagged with the node id, over the in-memory store and fake time; issue #20, item 5: sends measured by OpenTelemetry's messaging
/// client metrics, durations in seconds.
/// </summary>
public sealed class SchedulerMetricsTests : IDisposable
{
    private readonly LoopFixture _f = new(nodeId: "node-m");
    private readonly MetricRecorder _metrics;

    public SchedulerMetricsTests() => _metrics = new MetricRecorder(_f.MeterFactory);

    private static ScheduleTask Once(TimeSpan fromStart, RetryPolicy? retry = null, TimeSpan? expireAfter = null) =>
        new() { Trigger = (LoopFixture.Start + fromStart).ToString("O", CultureInfo.InvariantCulture), Retry = retry, ExpireAfter = expireAfter };

    [Fact]
    public async Task Loops_CountScheduledMaterializedClaimedDispatched_AndRecordLateness_TaggedWithTheNode()
    {
        await _f.ScheduleAsync(Once(TimeSpan.FromSeconds(2)));
        var repeated = Once(TimeSpan.FromSeconds(3)) with { TaskId = Guid.NewGuid() };
        await _f.ScheduleAsync(repeated);
        await _f.ScheduleAsync(repeated); // a repeat stores nothing and is not counted
        await _f.TickAsync();
        _f.Time.Advance(TimeSpan.FromSeconds(3.5)); // the first half a second late... the second a second and a half
        await _f.Runner.DispatchDueAsync();

        Assert.Equal(2, _metrics.Sum("scheduler.tasks.scheduled"));
        Assert.Equal(2, _metrics.Sum("scheduler.instances.materialized"));
        Assert.Equal(2, _metrics.Sum("scheduler.instances.claimed"));
        Assert.Equal(2, _metrics.Sum("messaging.client.sent.messages"));
        Assert.Equal([1.5, 0.5], _metrics.Values("scheduler.dispatch.lateness").Order().Reverse());
        Assert.All(_metrics.Tags, tags => Assert.Equal("node-m", tags["scheduler.node"]));
    }

    [Fact]
    public async Task Sends_AreCountedAsMessagingClientSentMessages_WithTheirOperationAndDestination_AndErrorTypeWhenTheyFail()
    {
        _f.Dispatcher.Describes = new DispatchTelemetry { System = "rabbitmq", ServerAddress = "broker.example", ServerPort = 5671 };
        await _f.ScheduleAsync(Once(TimeSpan.Zero) with { DestinationQueue = "orders" });
        await _f.ScheduleAsync(Once(TimeSpan.Zero) with { Broadcast = true });
        await _f.TickAsync();
        await _f.ScheduleAsync(Once(TimeSpan.FromSeconds(1)) with { DestinationQueue = "orders" });
        _f.Time.Advance(TimeSpan.FromSeconds(1));
        _f.Dispatcher.Fail = true;
        await _f.TickAsync();

        var sent = _metrics.TagsOf("messaging.client.sent.messages");
        Assert.Equal(3, sent.Count);
        Assert.All(sent, tags => Assert.Equal(("rabbitmq", "broker.example", 5671), (tags["messaging.system"], tags["server.address"], tags["server.port"])));
        Assert.Equal(["publish/-/-", "send/orders/-", $"send/orders/{typeof(InvalidOperationException).FullName}"],
            sent.Select(t => $"{t["messaging.operation.name"]}/{t.GetValueOrDefault("messaging.destination.name") ?? "-"}/{t.GetValueOrDefault("error.type") ?? "-"}")
                .Order(StringComparer.Ordinal));
        Assert.Equal(3, _metrics.Values("messaging.client.operation.duration").Count); // one per send, with the same tags
        Assert.Equal(1, _metrics.Sum("scheduler.dispatch.failures"));
    }

    [Fact]
    public void Instruments_HaveUcumUnits_DurationsInSeconds_WithBucketAdviceBelowTenMilliseconds()
    {
        Assert.Equal("BrokerScheduler", SchedulerMetrics.MeterName);
        Assert.All(_metrics.Instruments.Values, i => Assert.Equal(SchedulerMetrics.MeterName, i.Meter.Name));
        Assert.All(_metrics.Instruments.Values, i => Assert.Matches(@"^(s|\{[a-z]+\})$", i.Unit));
        foreach (var name in new[] { "scheduler.dispatch.lateness", "messaging.client.operation.duration" })
        {
            var histogram = Assert.IsType<System.Diagnostics.Metrics.Histogram<double>>(_metrics.Instruments[name]);
            Assert.Equal("s", histogram.Unit);
            var buckets = histogram.Advice?.HistogramBucketBoundaries;
            Assert.NotNull(buckets);
            Assert.Contains(buckets, b => b < 0.01); // sub-10 ms values keep a bucket of their own
            Assert.Equal(buckets.Order(), buckets); // ascending
        }

        Assert.Equal("{message}", _metrics.Instruments["messaging.client.sent.messages"].Unit);
    }

    [Fact]
    public async Task HeldAndBacklogGauges_ShowTheRunnersClaims_AndTheDueOnesAmongThem()
    {
        await _f.ScheduleAsync(Once(TimeSpan.FromSeconds(1)));
        await _f.ScheduleAsync(Once(TimeSpan.FromSeconds(5)));
        await _f.SchedulerLoop.RunOnceAsync();
        await _f.Runner.ClaimOnceAsync();

        Assert.Equal(2, _metrics.Observe("scheduler.instances.held"));
        Assert.Equal(0, _metrics.Observe("scheduler.instances.backlog"));
        _f.Time.Advance(TimeSpan.FromSeconds(2)); // one is due and not yet dispatched: the node is behind by one
        Assert.Equal(1, _metrics.Observe("scheduler.instances.backlog"));
        await _f.Runner.DispatchDueAsync();
        Assert.Equal(1, _metrics.Observe("scheduler.instances.held"));
        Assert.Equal(0, _metrics.Observe("scheduler.instances.backlog"));
    }

    [Fact]
    public async Task DeadLettered_IsCounted_WithCauseExpired_WhenTheLastAttemptExpires()
    {
        var taskId = await _f.ScheduleAsync(Once(TimeSpan.Zero, RetryPolicy.None, TimeSpan.FromSeconds(10)));
        await _f.TickAsync();
        await _f.ReportStartsAsync(taskId);
        _f.Time.Advance(TimeSpan.FromSeconds(10));
        await _f.TickAsync();

        Assert.Equal(1, _metrics.Sum("scheduler.instances.dead_lettered", ("scheduler.cause", "expired")));
        Assert.Equal(1, _metrics.Sum("scheduler.instances.dead_lettered"));
    }

    [Fact]
    public async Task RefusedDispatch_IsRetried_ThenDeadLetteredWithCauseDispatchRefused()
    {
        var retry = new RetryPolicy { MaxAttempts = 2, InitialBackoff = TimeSpan.FromSeconds(1), Jitter = false };
        await _f.ScheduleAsync(Once(TimeSpan.Zero, retry));
        _f.Dispatcher.Gate = (_, _) => throw new DispatchRejectedException("PRECONDITION_FAILED - message too large");
        await _f.TickAsync();
        Assert.Equal(1, _metrics.Sum("scheduler.attempts.retried"));
        Assert.Equal(1, _metrics.Sum("scheduler.dispatch.failures"));

        _f.Time.Advance(TimeSpan.FromSeconds(1));
        await _f.TickAsync();
        Assert.Equal(1, _metrics.Sum("scheduler.attempts.retried"));
        Assert.Equal(1, _metrics.Sum("scheduler.instances.dead_lettered", ("scheduler.cause", "dispatch_refused")));
    }

    [Fact]
    public void OutcomeApplied_CountsCompletionsFailuresAndRetries_NotStartsHeartbeatsOrDeadLetters()
    {
        var at = LoopFixture.Start;
        foreach (var kind in new[] { OutcomeKind.Started, OutcomeKind.Heartbeat, OutcomeKind.Completed, OutcomeKind.RetryScheduled, OutcomeKind.DeadLettered })
        {
            _f.Metrics.OutcomeApplied(new InstanceOutcome(Guid.NewGuid(), 1, kind, at));
        }

        Assert.Equal(1, _metrics.Sum("scheduler.instances.completed"));
        Assert.Equal(2, _metrics.Sum("scheduler.attempts.failed"));
        Assert.Equal(1, _metrics.Sum("scheduler.attempts.retried"));
        // A dead letter is counted where it is announced (DeadLetterNotifier, after the store applied it; SagaMetricsTests), not here.
        Assert.Equal(0, _metrics.Sum("scheduler.instances.dead_lettered"));
    }

    [Fact]
    public async Task Skipped_IsCounted_WhenTheOverlapPolicySkipsAnOccurrence()
    {
        var taskId = await _f.ScheduleAsync(new ScheduleTask { Trigger = "*/2 * * * * *", Overlap = OverlapPolicy.Skip });
        await _f.TickAsync(); // the first occurrence goes out and is never reported: it is still running
        _f.Time.Advance(TimeSpan.FromSeconds(2));
        await _f.TickAsync();

        Assert.True(_metrics.Sum("scheduler.instances.skipped") >= 1, $"task {taskId}: no skip counted");
    }

    public void Dispose()
    {
        _metrics.Dispose();
        _f.Dispose();
    }
}
