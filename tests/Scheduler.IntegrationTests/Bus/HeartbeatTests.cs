using MassTransit;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Xunit.Abstractions;

namespace Scheduler.IntegrationTests.Bus;

/// <summary>
/// Issue #10, item 3: a running handler keeps its attempt alive with heartbeats (sent by AddTaskReporting every ExpireAfter / 3), so a
/// handler that legitimately runs longer than ExpireAfter is dispatched once; real RabbitMQ and PostgreSQL.
/// </summary>
public sealed class HeartbeatTests(BusEnvironmentFixture environment, ITestOutputHelper output) : BusTest(output), IClassFixture<BusEnvironmentFixture>
{
    private const int Burst = 1000;

    /// <summary>While the long handler runs, a burst of short tasks goes through the same node, saga and workers: their starts and
    /// completions compete with its heartbeats for the saga, on top of whatever else loads the machine.</summary>
    [Fact]
    public async Task HandlerRunningThreeTimesItsExpireAfter_WhileHeartbeating_AmidABurstOfTasks_IsDispatchedOnce_AndCompletes()
    {
        await using var bus = new BusServices(environment, Output);
        var client = await bus.StartNodeWorkerAndClientAsync();
        await bus.StartWorkerAsync("worker-b"); // an idle competitor that would take a second dispatch at once
        // Heartbeats every ExpireAfter / 3 (1.33 s); the handler runs 12 s, three times its ExpireAfter.
        var expireAfter = TimeSpan.FromSeconds(4);

        var scheduled = await BusServices.ScheduleAsync(client, Once.Scripted(Once.FromNow(TimeSpan.Zero), "run-3x") with { ExpireAfter = expireAfter });
        await Wait.UntilAsync(() => bus.Recorder.Receipts(scheduled.TaskId).Count > 0, "the long handler starts");
        var burstAt = Once.FromNow(TimeSpan.FromSeconds(1));
        var burst = await bus.BulkClient.GetResponse<TasksScheduled, TasksRejected>(new ScheduleTasks
        {
            Tasks = Enumerable.Range(0, Burst).Select(i => Once.At(burstAt.AddMilliseconds(2 * i)) with { TaskId = null }).ToList(),
        });
        var completed = await bus.WaitForInstanceAsync(scheduled.TaskId, i => i.Status == TaskInstanceState.Completed, "the long handler completes");

        Assert.Equal([1], bus.Ledger.Of(completed.Id).Select(d => d.Attempt)); // never dispatched again while it ran
        var receipt = Assert.Single(bus.Recorder.Receipts(scheduled.TaskId));
        Assert.Equal(expireAfter, receipt.Message.ExpireAfter);
        // It outlived its ExpireAfter twice over (it sleeps three times it; timers and clocks may differ by a few milliseconds).
        Assert.True(completed.ReportedCompletedAt - receipt.ReceivedAt > expireAfter * 2,
            $"the handler ran {(completed.ReportedCompletedAt - receipt.ReceivedAt)?.TotalSeconds} s, not well past ExpireAfter");
        Assert.Equal(1, completed.Attempt);
        Assert.True(burst.Is(out Response<TasksScheduled>? accepted), "the burst is accepted");
        var burstIds = accepted!.Message.Results.Select(r => r.Scheduled!.TaskId).ToHashSet();
        var lastBurstReceipt = bus.Recorder.Of<TaskDueReceipt>().Where(r => burstIds.Contains(r.Message.TaskId)).Select(r => r.ReceivedAt).DefaultIfEmpty().Max();
        Output.WriteLine($"the burst's tasks received while the handler ran: {bus.Recorder.Of<TaskDueReceipt>().Count(r => burstIds.Contains(r.Message.TaskId) && r.ReceivedAt < completed.ReportedCompletedAt)} of {Burst}, the last at {lastBurstReceipt:HH:mm:ss.fff}; the handler ended at {completed.ReportedCompletedAt:HH:mm:ss.fff}");
    }
}
