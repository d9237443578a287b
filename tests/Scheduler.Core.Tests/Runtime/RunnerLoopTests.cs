using System.Globalization;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;

namespace Scheduler.Core.Tests.Runtime;

public class RunnerLoopTests
{
    private static ScheduleTask Once(TimeSpan fromStart, TimeSpan? expireAfter = null, RetryPolicy? retry = null) => new()
    {
        Trigger = (LoopFixture.Start + fromStart).ToString("O", CultureInfo.InvariantCulture),
        ExpireAfter = expireAfter,
        Retry = retry,
        Metadata = new Dictionary<string, string> { ["k"] = "v" },
        Payload = "{\"n\":1}",
    };

    [Fact]
    public async Task DispatchDue_DispatchesAtFireTime_NeverBefore()
    {
        using var f = new LoopFixture();
        f.Dispatcher.Clock = f.Time;
        var taskId = await f.ScheduleAsync(Once(TimeSpan.FromSeconds(5)));

        await f.TickAsync();
        Assert.Equal(1, f.Runner.HeldCount);
        f.Time.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));
        Assert.Equal(0, await f.Runner.DispatchDueAsync());
        Assert.Empty(f.Dispatcher.Dispatched);

        f.Time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(1, await f.Runner.DispatchDueAsync());

        var (message, queue, at) = Assert.Single(f.Dispatcher.Dispatched);
        Assert.Equal(LoopFixture.Start.AddSeconds(5), at);
        Assert.Equal(taskId, message.TaskId);
        Assert.Equal(1, message.Attempt);
        Assert.Equal(LoopFixture.Start.AddSeconds(5), message.FireTime);
        Assert.Equal(LoopFixture.Start.AddSeconds(5) + f.Options.Value.QueueTimeout, message.StartBy);
        Assert.Equal(LoopFixture.Start.AddSeconds(5) + f.Options.Value.QueueTimeout + TaskDefinitionFactory.DefaultExpireAfter, message.ExpiresAt);
        Assert.Equal("v", message.Metadata["k"]);
        Assert.Equal("{\"n\":1}", message.Payload);
        Assert.Equal(LoopFixture.DefaultQueue, queue); // the command named none: the node's default
        var instance = await f.SingleInstanceAsync(taskId);
        Assert.Equal(TaskInstanceState.Dispatched, instance.Status);
        Assert.Null(instance.LeaseOwner);
        Assert.Equal(message.ExpiresAt, instance.DueAt);
    }

    [Fact]
    public async Task ClaimOnce_DoesNotClaimInstancesBeyondTheExecutionWindow()
    {
        using var f = new LoopFixture();
        await f.ScheduleAsync(Once(TimeSpan.FromSeconds(30)));

        await f.TickAsync();
        Assert.Equal(0, f.Runner.HeldCount);

        f.Time.Advance(TimeSpan.FromSeconds(20));
        await f.TickAsync();
        Assert.Equal(1, f.Runner.HeldCount);
    }

    [Fact]
    public async Task ClaimOnce_SecondNodeGetsNothing_WhileFirstNodeHoldsTheClaim()
    {
        using var a = new LoopFixture(nodeId: "a");
        using var b = new LoopFixture(nodeId: "b", store: a.Store, time: a.Time);
        await a.ScheduleAsync(Once(TimeSpan.FromSeconds(5)));
        await a.SchedulerLoop.RunOnceAsync();

        Assert.Equal(1, await a.Runner.ClaimOnceAsync());
        Assert.Equal(0, await b.Runner.ClaimOnceAsync());
    }

    [Fact]
    public async Task ClaimOnce_AnotherNodeDispatches_AfterTheHoldersLeaseRunsOut()
    {
        using var a = new LoopFixture(nodeId: "a");
        using var b = new LoopFixture(nodeId: "b", store: a.Store, time: a.Time);
        var taskId = await a.ScheduleAsync(Once(TimeSpan.FromSeconds(5)));
        await a.SchedulerLoop.RunOnceAsync();
        await a.Runner.ClaimOnceAsync(); // node a "dies" holding the claim

        a.Time.Advance(TimeSpan.FromSeconds(5) + a.Options.Value.LeaseDuration - TimeSpan.FromTicks(1));
        Assert.Equal(0, await b.Runner.ClaimOnceAsync());
        a.Time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(1, await b.Runner.ClaimOnceAsync());
        await b.Runner.DispatchDueAsync();

        var dispatched = Assert.Single(b.Dispatcher.Dispatched).Message;
        Assert.Equal(1, dispatched.Attempt); // node a's claim of attempt 1 lapsed unrecorded: the attempt carries over, none is used up
        Assert.Equal(taskId, dispatched.TaskId);
        Assert.Equal(TaskInstanceState.Dispatched, (await a.Store.GetInstanceAsync(dispatched.InstanceId))!.Status);
    }

    [Fact]
    public async Task ClaimOnce_TakesACrashedNodesClaimOver_WithItsAttemptNumber_SoTheCrashUsesUpNoAttempt()
    {
        using var a = new LoopFixture(nodeId: "a");
        using var b = new LoopFixture(nodeId: "b", store: a.Store, time: a.Time);
        await a.ScheduleAsync(Once(TimeSpan.Zero, retry: RetryPolicy.None));
        await a.SchedulerLoop.RunOnceAsync();
        await a.Runner.ClaimOnceAsync(); // reserves attempt 1, then node a "dies" before dispatching

        a.Time.Advance(a.Options.Value.LeaseDuration);
        await b.Runner.ClaimOnceAsync();
        await b.Runner.DispatchDueAsync();

        var dispatched = Assert.Single(b.Dispatcher.Dispatched).Message;
        Assert.Equal(1, dispatched.Attempt); // the only attempt RetryPolicy.None allows: never "attempt 2/1"
        Assert.Equal(1, dispatched.MaxAttempts);
        Assert.Empty(b.Dispatcher.DeadLettered);
    }

    [Fact]
    public async Task CancelledTask_IsNotDispatched_WhenThisNodeAlreadyHoldsItsInstance()
    {
        using var f = new LoopFixture();
        var taskId = await f.ScheduleAsync(Once(TimeSpan.FromSeconds(5)));
        await f.TickAsync();
        Assert.Equal(1, f.Runner.HeldCount);

        Assert.True((await f.Scheduling.CancelAsync(taskId)).Found);
        f.Time.Advance(TimeSpan.FromSeconds(5));
        await f.Runner.DispatchDueAsync();

        Assert.Empty(f.Dispatcher.Dispatched);
        Assert.Equal(TaskInstanceState.Cancelled, (await f.SingleInstanceAsync(taskId)).Status);
    }

    [Fact]
    public async Task CancelledTask_IsNotDispatched_WhenAnotherNodeHoldsItsInstance_AfterThatNodesNextPoll()
    {
        using var a = new LoopFixture(nodeId: "a");
        using var b = new LoopFixture(nodeId: "b", store: a.Store, time: a.Time);
        var taskId = await a.ScheduleAsync(Once(TimeSpan.FromSeconds(5)));
        await a.TickAsync(); // node a holds the instance

        Assert.True((await b.Scheduling.CancelAsync(taskId)).Found); // cancelled through node b
        a.Time.Advance(TimeSpan.FromSeconds(1));
        await a.Runner.ClaimOnceAsync(); // node a's next poll
        a.Time.Advance(TimeSpan.FromSeconds(4));
        await a.Runner.DispatchDueAsync();

        Assert.Empty(a.Dispatcher.Dispatched);
    }

    [Fact]
    public async Task ReleaseHeld_LetsAnotherNodeDispatchTheSameAttempt_WhenANodeStops()
    {
        using var a = new LoopFixture(nodeId: "a");
        using var b = new LoopFixture(nodeId: "b", store: a.Store, time: a.Time);
        await a.ScheduleAsync(Once(TimeSpan.FromSeconds(5)));
        await a.SchedulerLoop.RunOnceAsync();
        await a.Runner.ClaimOnceAsync();

        Assert.Equal(1, await a.Runner.ReleaseHeldAsync());
        Assert.Equal(1, await b.Runner.ClaimOnceAsync());
        a.Time.Advance(TimeSpan.FromSeconds(5));
        await b.Runner.DispatchDueAsync();

        Assert.Equal(1, Assert.Single(b.Dispatcher.Dispatched).Message.Attempt);
        Assert.Empty(a.Dispatcher.Dispatched);
    }

    [Fact]
    public async Task ClaimOnce_RedispatchesWithNextAttempt_WhenExpireAfterPassesWithoutCompletion()
    {
        using var f = new LoopFixture();
        var taskId = await f.ScheduleAsync(Once(TimeSpan.Zero, expireAfter: TimeSpan.FromSeconds(30)));
        await f.TickAsync();
        Assert.Equal(1, Assert.Single(f.Dispatcher.Dispatched).Message.Attempt);
        await f.ReportStartsAsync(taskId);

        f.Time.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromTicks(1));
        await f.TickAsync();
        Assert.Single(f.Dispatcher.Dispatched); // not expired yet: not claimed even though inside the window

        f.Time.Advance(TimeSpan.FromTicks(1));
        await f.TickAsync();
        Assert.Equal([1, 2], f.Dispatcher.Dispatched.Select(d => d.Message.Attempt));
        Assert.Equal(2, (await f.SingleInstanceAsync(taskId)).Attempt);
    }

    [Fact]
    public async Task ClaimOnce_RedispatchesAnAttemptNoWorkerStarted_OnlyAfterTheQueueTimeoutPlusExpireAfter()
    {
        // Overload: the TaskDue waits in the queue. Its ExpireAfter does not run meanwhile, so it is not dispatched a second time.
        using var f = new LoopFixture(o => o.QueueTimeout = TimeSpan.FromMinutes(10));
        var taskId = await f.ScheduleAsync(Once(TimeSpan.Zero, expireAfter: TimeSpan.FromSeconds(30)));
        await f.TickAsync();
        Assert.Equal(LoopFixture.Start.AddMinutes(10), Assert.Single(f.Dispatcher.Dispatched).Message.StartBy);

        f.Time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(30) - TimeSpan.FromTicks(1));
        await f.TickAsync();
        Assert.Single(f.Dispatcher.Dispatched);

        f.Time.Advance(TimeSpan.FromTicks(1)); // lost, or dropped from the queue at StartBy: the next attempt goes out
        await f.TickAsync();
        Assert.Equal([1, 2], f.Dispatcher.Dispatched.Select(d => d.Message.Attempt));
    }

    [Fact]
    public async Task ClaimOnce_DeadLetters_WhenTheLastAttemptExpires()
    {
        using var f = new LoopFixture();
        var taskId = await f.ScheduleAsync(Once(TimeSpan.Zero, expireAfter: TimeSpan.FromSeconds(10), retry: new RetryPolicy { MaxAttempts = 2 }));
        await f.TickAsync();
        await f.ReportStartsAsync(taskId);
        f.Time.Advance(TimeSpan.FromSeconds(10));
        await f.TickAsync();
        await f.ReportStartsAsync(taskId);
        f.Time.Advance(TimeSpan.FromSeconds(10));
        await f.TickAsync();

        Assert.Equal([1, 2], f.Dispatcher.Dispatched.Select(d => d.Message.Attempt));
        var dead = Assert.Single(f.Dispatcher.DeadLettered);
        Assert.Equal(2, dead.Attempt);
        Assert.Contains("ExpireAfter", dead.Reason, StringComparison.Ordinal);
        var instance = await f.SingleInstanceAsync(taskId);
        Assert.Equal(TaskInstanceState.Failed, instance.Status);
        Assert.Equal(f.Time.GetUtcNow(), instance.FailedAt);
    }

    [Fact]
    public async Task RequeuedDeadLetter_IsDispatchedAgainAtOnce_AsTheNextAttempt_AndDeadLetteredAgainWhenItExpires()
    {
        using var f = new LoopFixture();
        var taskId = await f.ScheduleAsync(Once(TimeSpan.Zero, expireAfter: TimeSpan.FromSeconds(10), retry: new RetryPolicy { MaxAttempts = 1 }));
        await f.TickAsync();
        await f.ReportStartsAsync(taskId);
        f.Time.Advance(TimeSpan.FromSeconds(10));
        await f.TickAsync();
        var dead = await f.SingleInstanceAsync(taskId);
        Assert.Equal(TaskInstanceState.Failed, dead.Status);
        f.Time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal([dead.Id], await f.Scheduling.RequeueDeadLettersAsync([dead.Id]));
        await f.TickAsync();

        Assert.Equal([1, 2], f.Dispatcher.Dispatched.Select(d => d.Message.Attempt)); // at once: the clock did not move since the requeue
        await f.ReportStartsAsync(taskId);
        f.Time.Advance(TimeSpan.FromSeconds(10));
        await f.TickAsync();
        Assert.Equal([1, 2], f.Dispatcher.DeadLettered.Select(d => d.Attempt));
        Assert.Equal(TaskInstanceState.Failed, (await f.SingleInstanceAsync(taskId)).Status);
    }

    [Fact]
    public async Task DispatchDue_ReleasesTheClaim_WhenTheBrokerRejectsThePublish()
    {
        using var f = new LoopFixture();
        var taskId = await f.ScheduleAsync(Once(TimeSpan.Zero));
        f.Dispatcher.Fail = true;
        await f.TickAsync();

        var instance = await f.SingleInstanceAsync(taskId);
        Assert.Equal(TaskInstanceState.Scheduled, instance.Status);
        Assert.Null(instance.LeaseOwner);
        Assert.Equal(0, instance.Attempt);

        f.Dispatcher.Fail = false;
        await f.TickAsync();
        Assert.Equal(1, Assert.Single(f.Dispatcher.Dispatched).Message.Attempt);
    }

    [Fact]
    public async Task ExecuteAsync_DispatchesOnTimeAndReleasesHeldClaims_WhenStopped()
    {
        using var f = new LoopFixture();
        f.Dispatcher.Clock = f.Time;
        await f.ScheduleAsync(Once(TimeSpan.FromSeconds(2)));
        var late = await f.ScheduleAsync(Once(TimeSpan.FromSeconds(8)));
        await f.SchedulerLoop.RunOnceAsync();

        await f.Runner.StartAsync(CancellationToken.None);
        await WaitUntil(() => f.Runner.HeldCount == 2);
        f.Time.Advance(TimeSpan.FromSeconds(2));
        await WaitUntil(() => f.Dispatcher.Dispatched.Count == 1);
        await f.Runner.StopAsync(CancellationToken.None);

        Assert.Equal(LoopFixture.Start.AddSeconds(2), Assert.Single(f.Dispatcher.Dispatched).At);
        var released = await f.SingleInstanceAsync(late);
        Assert.Null(released.LeaseOwner);
        Assert.Equal(0, released.Attempt);
    }

    private static Task WaitUntil(Func<bool> condition) => Eventually.UntilAsync(condition);
}
