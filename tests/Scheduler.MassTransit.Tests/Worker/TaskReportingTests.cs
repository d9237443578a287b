using System.Globalization;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.MassTransit.Worker;

namespace Scheduler.MassTransit.Tests.Worker;

/// <summary>
/// Issue #18, items 5 and 7: what <c>AddTaskReporting</c> tells the scheduler while a handler runs (a start, then heartbeats, never two at
/// once and never more often than ExpireAfter / 10 however often the handler asks), and which deliveries it acknowledges without running.
/// In-memory bus, fake clock.
/// </summary>
public sealed class TaskReportingTests
{
    private const string Queue = "reporting-worker";

    [Fact]
    public async Task Reports_AStartThenHeartbeats_CoalescingWhatTheHandlerAsksFor()
    {
        await using var f = await BusFixture.StartAsync(configure: x =>
        {
            x.AddTaskConsumer<AskingConsumer>(Queue);
            x.AddConsumer<AliveRecorder>();
        });
        var scheduled = Assert.IsType<TaskScheduled>(await f.ScheduleAsync(new ScheduleTask
        {
            Trigger = BusFixture.Start.ToString("O", CultureInfo.InvariantCulture),
            DestinationQueue = Queue,
            ExpireAfter = TimeSpan.FromSeconds(60), // start after 1 s, heartbeats every 20 s, at most one per 6 s
        }));
        await BusFixture.Eventually(() => f.Recorder.Of<TaskDue>().Any(d => d.TaskId == scheduled.TaskId), "the handler runs");

        // The handler asked for 50 heartbeats at once: the first report waits for the start (1 s), the asked heartbeat for the spacing (6 s).
        f.Time.Advance(TimeSpan.FromSeconds(1));
        await BusFixture.Eventually(() => f.Recorder.Of<TaskStarted>().Any(), "the start is reported");
        f.Time.Advance(TimeSpan.FromSeconds(6));
        await BusFixture.Eventually(() => f.Recorder.Of<TaskHeartbeat>().Count() == 1, "the asked heartbeat is sent, once");
        f.Time.Advance(TimeSpan.FromSeconds(20)); // automatic heartbeats every ExpireAfter / 3 after the last report: at 27 s, 47 s
        await BusFixture.Eventually(() => f.Recorder.Of<TaskHeartbeat>().Count() == 2, "an automatic heartbeat 20 s after the last");
        f.Time.Advance(TimeSpan.FromSeconds(20));
        await BusFixture.Eventually(() => f.Recorder.Of<TaskHeartbeat>().Count() == 3, "an automatic heartbeat 20 s after the last");
        AskingConsumer.Release.TrySetResult();
        await f.WaitForInstanceAsync(scheduled.TaskId, i => i.Status == TaskInstanceState.Completed);

        Assert.Equal(BusFixture.Start, Assert.Single(f.Recorder.Of<TaskStarted>()).StartedAt);
        Assert.Equal([7.0, 27, 47], f.Recorder.Of<TaskHeartbeat>().Select(h => (h.At - BusFixture.Start).TotalSeconds).Order());
        Assert.All(f.Recorder.Of<TaskHeartbeat>(), h => Assert.Equal(BusFixture.Start, h.StartedAt));
    }

    /// <summary>The start report goes out a tenth of ExpireAfter (at most 1 s) after the handler started, however late the reporting loop got a
    /// thread (a busy thread pool): here the handler started a second before its reporter, and the report goes out without the clock moving.</summary>
    [Fact]
    public async Task StartReport_IsTimedFromTheHandlersStart_NotFromWhenItsLoopRuns()
    {
        await using var f = await BusFixture.StartAsync();
        var due = new TaskDue
        {
            TaskId = Guid.NewGuid(), InstanceId = Guid.NewGuid(), Attempt = 1, MaxAttempts = 1, FireTime = BusFixture.Start, DueAt = BusFixture.Start,
            ExpireAfter = TimeSpan.FromSeconds(60), ExpiresAt = BusFixture.Start.AddSeconds(60), Metadata = new Dictionary<string, string>(),
        };

        await using var reporter = AttemptReporter.Start(due, f.Services.GetRequiredService<TaskReports>(), f.Time.GetUtcNow() - TimeSpan.FromSeconds(1));

        Assert.True(await f.Harness.Published.Any<TaskReportBatch>(m => m.Context.Message.Started.Any(r => r.InstanceId == due.InstanceId)), "the start is reported at once");
    }

    [Fact]
    public async Task Delivery_ReceivedAfterItsStartBy_OrOfAnAttemptFinishedHere_IsAcknowledgedWithoutRunning()
    {
        await using var f = await BusFixture.StartAsync();
        var endpoint = await f.Harness.Bus.GetSendEndpoint(new Uri($"queue:{BusFixture.WorkerQueue}"));
        TaskDue Due(DateTimeOffset? startBy) => new()
        {
            TaskId = Guid.NewGuid(), InstanceId = Guid.NewGuid(), Attempt = 1, MaxAttempts = 3, FireTime = BusFixture.Start, DueAt = BusFixture.Start,
            StartBy = startBy, ExpiresAt = BusFixture.Start.AddMinutes(1), ExpireAfter = TimeSpan.FromSeconds(30), Metadata = new Dictionary<string, string>(),
        };
        var stale = Due(BusFixture.Start - TimeSpan.FromTicks(1));
        var fresh = Due(BusFixture.Start.AddMinutes(10));

        await endpoint.Send(stale);
        await endpoint.Send(fresh);
        Assert.True(await f.Harness.Published.Any<TaskReportBatch>(m => m.Context.Message.Completed.Any(r => r.InstanceId == fresh.InstanceId)), "the fresh delivery runs and completes");
        await endpoint.Send(fresh); // the broker delivers a finished attempt again
        await endpoint.Send(fresh with { Attempt = 2 }); // a marker: the worker handled everything sent before it
        await BusFixture.Eventually(() => f.Recorder.Of<TaskDue>().Any(d => d.InstanceId == fresh.InstanceId && d.Attempt == 2), "the marker runs");

        Assert.DoesNotContain(f.Recorder.Of<TaskDue>(), d => d.InstanceId == stale.InstanceId);
        Assert.Single(f.Recorder.Of<TaskDue>(), d => d.InstanceId == fresh.InstanceId && d.Attempt == 1);
        Assert.True(await f.Harness.Consumed.Any<TaskDue>(m => m.Context.Message.InstanceId == stale.InstanceId)); // acknowledged, not skipped
        Assert.False(await f.Harness.Published.Any<TaskReportBatch>(m => m.Context.Message.Completed.Any(r => r.InstanceId == stale.InstanceId))); // nothing reported
    }

    /// <summary>Asks for 50 heartbeats at once, then runs until released.</summary>
    private sealed class AskingConsumer(Recorder recorder) : IConsumer<TaskDue>
    {
        public static readonly TaskCompletionSource Release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task Consume(ConsumeContext<TaskDue> context)
        {
            recorder.Add(context.Message);
            for (var n = 0; n < 50; n++)
            {
                await context.ReportHeartbeatAsync();
            }

            await Release.Task;
        }
    }

    /// <summary>Records the starts and heartbeats the worker publishes (in batches).</summary>
    private sealed class AliveRecorder(Recorder recorder) : IConsumer<TaskReportBatch>
    {
        public Task Consume(ConsumeContext<TaskReportBatch> context)
        {
            foreach (var report in context.Message.Started.Cast<object>().Concat(context.Message.Heartbeats))
            {
                recorder.Add(report);
            }

            return Task.CompletedTask;
        }
    }
}
