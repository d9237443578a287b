using Xunit.Abstractions;

namespace Scheduler.FaultTests;

/// <summary>
/// Issue #18, item 7: workers slower than the load. 20,000 tasks fall due within 50 s onto two workers that run 160 a second (16 handlers of
/// 200 ms each), so the workers' queue holds thousands of <c>TaskDue</c> for over a minute, far longer than the tasks' ExpireAfter (20 s). A
/// message waiting in the queue is not a running attempt: nothing is dispatched twice, nothing runs twice, the queue drains to zero, and tasks
/// scheduled after the load wait only for the real backlog.
/// </summary>
public sealed class WorkerOverloadTests(ITestOutputHelper output)
{
    private const int Load = 20_000;
    private static readonly TimeSpan LoadSpread = TimeSpan.FromSeconds(50);

    [Fact]
    public async Task TasksQueuedLongerThanExpireAfter_RunOnce_TheQueueDrains_LaterTasksWaitOnlyForTheBacklog()
    {
        await using var system = await FaultSystem.StartAsync(output, new Dictionary<string, string> { ["Worker:HandlerDelay"] = "00:00:00.200" });
        var first = FaultSystem.Now + TimeSpan.FromSeconds(20);
        var taskIds = await system.ScheduleAsync(FaultSystem.Tasks(Load, first, LoadSpread));
        await FaultSystem.DelayUntilAsync(first + LoadSpread);

        // Scheduled when the last of the load falls due: they queue behind the backlog, and behind nothing else.
        var canaries = await system.ScheduleAsync(FaultSystem.Tasks(5, FaultSystem.Now + TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(5)));
        var backlog = (await system.Broker.ListQueuesAsync()).Single(q => q.Name == FaultSystem.WorkerQueue);
        system.Log($"last of the load due; the workers' queue holds {backlog.Ready} ready and {backlog.Unacknowledged} unacknowledged TaskDue");
        Assert.True(backlog.Ready > 1000, $"the workers fell behind (the queue held {backlog.Ready} ready TaskDue when the last task fell due)");

        await system.WaitUntilFinalAsync([.. taskIds, .. canaries], first + LoadSpread);
        var drained = (await system.Broker.ListQueuesAsync()).Single(q => q.Name == FaultSystem.WorkerQueue);
        Assert.Equal((0, 0), (drained.Ready, drained.Unacknowledged));

        var deliveries = system.Deliveries();
        var lastOfLoad = deliveries.Where(d => !canaries.Contains(d.TaskId)).Max(d => d.ReceivedAt);
        var canaryStarts = deliveries.Where(d => canaries.Contains(d.TaskId)).Select(d => d.ReceivedAt).ToList();
        system.Log($"the queue drained {(lastOfLoad - (first + LoadSpread)).TotalSeconds:F1} s after the last task fell due; the canaries started " +
                   $"{(canaryStarts.Max() - lastOfLoad).TotalMilliseconds:F0} ms after the last task of the load");
        Assert.True(canaryStarts.Max() - lastOfLoad < TimeSpan.FromSeconds(2),
            "tasks scheduled after the load waited for more than the backlog (stale copies ahead of them in the queue)");
        await FaultVerdict.VerifyAsync(system, new FaultExpectation($"workers slower than the load ({Load:N0} tasks due within 50 s, 160 a second)",
            [.. taskIds, .. canaries], first, first, FaultAllowance.Nothing("nothing: no process fails, the workers are only slow")), output);
    }
}
