using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Scheduler.Contracts;
using Scheduler.Core.Runtime;
using Scheduler.Core.Storage;
using static Scheduler.IntegrationTests.TestData;

namespace Scheduler.IntegrationTests;

/// <summary>
/// Issue #20, item 3: the next fire time every view of a task shows (<see cref="TaskInfo.NextFireTime"/>: the reply of a change, GetTask,
/// ListTasks) is the earliest fire time that will still fire — the task's planned instances not begun, then the scheduler loop's planning
/// cursor — and GetDetailAsync lists the upcoming ones, on every store (<see cref="IAdminStore.GetNextPendingFireTimesAsync"/> and
/// <see cref="IAdminStore.GetPendingFireTimesAsync"/>), through a node's scheduling service and scheduler loop on a fake clock.
/// </summary>
public abstract partial class TaskStoreContractTests
{
    private static readonly IMeterFactory NextFireMeters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();

    private sealed record PlanningNode(FakeTimeProvider Time, SchedulingService Scheduling, SchedulerLoop Loop);

    /// <summary>A node at T0 + 1 s that plans 30 s ahead (the operator's setting in the issue).</summary>
    private PlanningNode StartPlanningNode()
    {
        var time = new FakeTimeProvider(T0.AddSeconds(1));
        var options = Microsoft.Extensions.Options.Options.Create(new SchedulerOptions
        {
            NodeId = "node-a", DefaultDestinationQueue = "worker", ExecutionWindow = TimeSpan.FromSeconds(30),
        });
        var signals = new LoopSignals();
        var metrics = new SchedulerMetrics(NextFireMeters, options);
        return new PlanningNode(time, new SchedulingService(Store, Store, signals, options, time, metrics, NullLogger<SchedulingService>.Instance),
            new SchedulerLoop(Store, new TriggerCache(), signals, options, time, metrics, NullLogger<SchedulerLoop>.Instance));
    }

    private static async Task<DateTimeOffset?[]> NextFireTimesAsync(PlanningNode node, Guid taskId) =>
    [
        (await node.Scheduling.GetAsync(taskId))!.NextFireTime,
        (await node.Scheduling.GetDetailAsync(taskId, 1))!.NextFireTime,
        Assert.Single((await node.Scheduling.ListAsync(new ListTasks())).Tasks, t => t.TaskId == taskId).NextFireTime,
    ];

    [Fact]
    public async Task NextFireTime_AfterATriggerNowOfARecurringTask_IsItsNextRegularOccurrence_NotThePlanningCursor()
    {
        var node = StartPlanningNode();
        var every5s = await node.Scheduling.ScheduleAsync(new ScheduleTask { Trigger = "*/5 * * * * *", TimeZone = "UTC" });
        Assert.Equal(T0.AddSeconds(5), every5s.NextFireTime);
        await node.Loop.RunOnceAsync(); // plans T0+5 … T0+30: the cursor runs on to T0+35
        Assert.Equal(T0.AddSeconds(35), (await Store.GetDefinitionAsync(every5s.TaskId))!.NextFireTime);

        var triggered = await node.Scheduling.TriggerNowAsync(every5s.TaskId, Guid.NewGuid());
        node.Time.Advance(TimeSpan.FromMilliseconds(10)); // the run it added fires now

        Assert.Equal(T0.AddSeconds(5), triggered!.Task.NextFireTime);
        Assert.Equal([T0.AddSeconds(5), T0.AddSeconds(5), T0.AddSeconds(5)], await NextFireTimesAsync(node, every5s.TaskId));
        // Once T0+5 has passed, the next is T0+10; the upcoming ones run from the planned instances on past the cursor, by the trigger.
        node.Time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal([T0.AddSeconds(10), T0.AddSeconds(10), T0.AddSeconds(10)], await NextFireTimesAsync(node, every5s.TaskId));
        Assert.Equal(Enumerable.Range(2, 8).Select(i => T0.AddSeconds(5 * i)), (await node.Scheduling.GetDetailAsync(every5s.TaskId, 8))!.UpcomingFireTimes);
    }

    [Fact]
    public async Task NextFireTime_OfATaskPlannedAhead_IsItsEarliestOccurrenceNotBegun_AndARetryWaitingIsNotOne()
    {
        var node = StartPlanningNode();
        var every5s = await node.Scheduling.ScheduleAsync(new ScheduleTask { Trigger = "*/5 * * * * *", TimeZone = "UTC" });
        await node.Loop.RunOnceAsync();
        // A runner claims ahead what comes due within its window: T0+5 and T0+10 are claimed, not begun, and T0+5 is still the next.
        var claimed = await Store.ClaimDueInstancesAsync(Claim("node-a", T0.AddSeconds(1), window: TimeSpan.FromSeconds(10)));
        Assert.Equal([T0.AddSeconds(5), T0.AddSeconds(10)], claimed.Claimed.Select(c => c.Instance.FireTime).Order());

        Assert.Equal([T0.AddSeconds(5), T0.AddSeconds(5), T0.AddSeconds(5)], await NextFireTimesAsync(node, every5s.TaskId));

        // T0+5 dispatched, failed and waiting for its retry: it fired already; T0+10 (claimed, not begun) is next.
        var first = claimed.Claimed.Single(c => c.Instance.FireTime == T0.AddSeconds(5)).Instance;
        await Store.RecordDispatchesAsync(Record("node-a", new DispatchOutcome(first.Id, first.Attempt, T0.AddSeconds(1))));
        Assert.Equal([true], await Store.ApplyOutcomesAsync([Failed(first.Id, first.Attempt, T0.AddSeconds(1), retryAt: T0.AddSeconds(7))]));
        Assert.Equal((TaskInstanceState.Scheduled, T0.AddSeconds(7)), ((await Store.GetInstanceAsync(first.Id))!.Status, (await Store.GetInstanceAsync(first.Id))!.DueAt));

        Assert.Equal([T0.AddSeconds(10), T0.AddSeconds(10), T0.AddSeconds(10)], await NextFireTimesAsync(node, every5s.TaskId));
    }

    [Fact]
    public async Task NextFireTime_OfAPausedTask_IsNone_AndResumingShowsItAgain()
    {
        var node = StartPlanningNode();
        var every5s = await node.Scheduling.ScheduleAsync(new ScheduleTask { Trigger = "*/5 * * * * *", TimeZone = "UTC" });
        await node.Loop.RunOnceAsync();

        var paused = await node.Scheduling.PauseAsync(every5s.TaskId);

        Assert.Null(paused!.Task.NextFireTime);
        Assert.Equal([null, null, null], await NextFireTimesAsync(node, every5s.TaskId));
        Assert.Empty((await node.Scheduling.GetDetailAsync(every5s.TaskId, 5))!.UpcomingFireTimes!);
        var resumed = await node.Scheduling.ResumeAsync(every5s.TaskId);
        Assert.Equal(T0.AddSeconds(5), resumed!.Task.NextFireTime);
    }

    [Fact]
    public async Task NextFireTime_OfAOneOffTask_IsItsFireTimeUntilItIsDispatched_ThenNone()
    {
        var node = StartPlanningNode();
        var once = await node.Scheduling.ScheduleAsync(new ScheduleTask { Trigger = T0.AddSeconds(10).ToString("O"), TimeZone = "UTC" });
        await node.Loop.RunOnceAsync(); // planned: the cursor is empty (the task reads Finished), its instance not begun
        Assert.Null((await Store.GetDefinitionAsync(once.TaskId))!.NextFireTime);
        Assert.Equal([T0.AddSeconds(10), T0.AddSeconds(10), T0.AddSeconds(10)], await NextFireTimesAsync(node, once.TaskId));
        Assert.Equal([T0.AddSeconds(10)], (await node.Scheduling.GetDetailAsync(once.TaskId, 5))!.UpcomingFireTimes);

        var claimed = Assert.Single((await Store.ClaimDueInstancesAsync(Claim("node-a", T0.AddSeconds(1)))).Claimed).Instance;
        await Store.RecordDispatchesAsync(Record("node-a", new DispatchOutcome(claimed.Id, claimed.Attempt, T0.AddSeconds(1))));

        Assert.Equal([null, null, null], await NextFireTimesAsync(node, once.TaskId));
        Assert.Empty((await node.Scheduling.GetDetailAsync(once.TaskId, 5))!.UpcomingFireTimes!);
    }

    [Fact]
    public async Task PendingFireTimes_AreTheOccurrencesNotBegun_AfterTheInstant_PerDefinition()
    {
        var (a, aInstances) = await SeedAsync(Store, T0.AddSeconds(1), T0.AddSeconds(2), T0.AddSeconds(3), T0.AddSeconds(4));
        var (b, _) = await SeedAsync(Store, T0.AddSeconds(9));
        var (c, _) = await SeedAsync(Store, T0);
        var claims = await ClaimAsync(Claim("node-a", T0, maxCount: 1)); // c's T0 … claimed, then dispatched: begun
        await Store.RecordDispatchesAsync(Record("node-a", new DispatchOutcome(claims[0].Instance.Id, 1, T0)));
        claims = await ClaimAsync(Claim("node-a", T0.AddSeconds(2), maxCount: 2)); // a's T0+1 and T0+2 claimed, not begun
        Assert.Equal([aInstances[0].Id, aInstances[1].Id], claims.OrderBy(x => x.Instance.FireTime).Select(x => x.Instance.Id));
        await Store.RecordDispatchesAsync(Record("node-a", new DispatchOutcome(aInstances[1].Id, 1, T0.AddSeconds(2)))); // T0+2 begun

        var next = await Store.GetNextPendingFireTimesAsync([a.Id, b.Id, c.Id, a.Id, Guid.NewGuid()], T0);
        var later = await Store.GetNextPendingFireTimesAsync([a.Id, b.Id], T0.AddSeconds(3));

        Assert.Equal([(a.Id, T0.AddSeconds(1)), (b.Id, T0.AddSeconds(9))], next.Select(p => (p.Key, p.Value)).OrderBy(p => p.Value));
        Assert.Equal([(a.Id, T0.AddSeconds(4)), (b.Id, T0.AddSeconds(9))], later.Select(p => (p.Key, p.Value)).OrderBy(p => p.Value));
        Assert.Empty(await Store.GetNextPendingFireTimesAsync([], T0));
        Assert.Equal([T0.AddSeconds(1), T0.AddSeconds(3)], await Store.GetPendingFireTimesAsync(a.Id, T0, 2));
        Assert.Equal([T0.AddSeconds(3), T0.AddSeconds(4)], await Store.GetPendingFireTimesAsync(a.Id, T0.AddSeconds(1), 50));
        Assert.Empty(await Store.GetPendingFireTimesAsync(c.Id, T0.AddSeconds(-1), 5));
    }
}
