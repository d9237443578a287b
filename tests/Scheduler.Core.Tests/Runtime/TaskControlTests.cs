using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Runtime;
using Scheduler.Core.Storage;

namespace Scheduler.Core.Tests.Runtime;

/// <summary>Pause, resume, update and trigger-now on the loops, on fake time (issue #10, items 1 and 4).</summary>
public sealed class TaskControlTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    // From 12:01 on (the fixture starts at 12:00:00); nobody reports outcomes here, so attempts run an hour before they expire.
    private static ScheduleTask EveryMinute(MisfirePolicy misfire = MisfirePolicy.FireOnce, OverlapPolicy overlap = OverlapPolicy.AllowAll) => new()
    {
        Trigger = "* * * * *", StartAt = LoopFixture.Start.AddSeconds(1), Misfire = misfire, Overlap = overlap, ExpireAfter = TimeSpan.FromHours(1),
    };

    private static async Task RunForAsync(LoopFixture f, TimeSpan span, TimeSpan step)
    {
        for (var passed = TimeSpan.Zero; passed < span; passed += step)
        {
            f.Time.Advance(step);
            await f.TickAsync();
        }
    }

    [Fact]
    public async Task PausedTask_DispatchesNothing_EvenWhatThisNodeHeld_AndResumeFiresTheMissedOnceUnderFireOnce()
    {
        using var f = new LoopFixture();
        var taskId = await f.ScheduleAsync(EveryMinute());
        f.Time.Advance(Minute - TimeSpan.FromSeconds(5));
        await f.TickAsync(); // the 12:01 occurrence is held, due in 5 s
        Assert.Equal(1, f.Runner.HeldCount);

        var paused = await f.Scheduling.PauseAsync(taskId);
        await RunForAsync(f, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(5));

        Assert.True(paused!.Changed);
        Assert.Empty(f.Dispatcher.Dispatched);
        Assert.Empty(await f.Store.GetInstancesAsync(taskId)); // the held occurrence was taken back
        Assert.Equal(LoopFixture.Start + Minute, (await f.Store.GetDefinitionAsync(taskId))!.NextFireTime); // where resuming starts

        await f.Scheduling.ResumeAsync(taskId);
        await f.TickAsync();

        // 12:01 to 12:04 were missed by more than the misfire threshold (1 minute): FireOnce runs them as one instance (the first); 12:05 is
        // younger than the threshold and fires late; then the schedule goes on.
        Assert.Equal([LoopFixture.Start + Minute, LoopFixture.Start + 5 * Minute], f.Dispatcher.Dispatched.Select(d => d.Message.FireTime));
        await RunForAsync(f, Minute, TimeSpan.FromSeconds(5));
        Assert.Equal(LoopFixture.Start + TimeSpan.FromMinutes(6), f.Dispatcher.Dispatched[^1].Message.FireTime);
    }

    /// <summary>A pause commits while one of the task's held occurrences comes due on this node: the runner must not send it between the
    /// commit and the check of its claims (the window the integration tests' one-second margin after a pause used to hide).</summary>
    [Fact]
    public async Task Pause_ThatCommitsAsAHeldOccurrenceComesDue_SendsNothingAfterTheCommit()
    {
        var committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reply = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var f = new LoopFixture(wrapStore: inner => Intercept(inner, c => c.After(nameof(IDefinitionStore.ChangeDefinitionAsync), () =>
        {
            committed.TrySetResult();
            return reply.Task;
        })));
        var taskId = await f.ScheduleAsync(EveryMinute());
        f.Time.Advance(Minute - TimeSpan.FromSeconds(5));
        await f.TickAsync(); // the 12:01 occurrence is held, due in 5 s

        var pausing = f.Scheduling.PauseAsync(taskId);
        await committed.Task.WaitAsync(Eventually.Deadline); // the pause is in the store; its reply not yet sent
        f.Time.Advance(TimeSpan.FromSeconds(5));
        await f.Runner.DispatchDueAsync(); // 12:01 comes due meanwhile
        reply.SetResult();
        await pausing.WaitAsync(Eventually.Deadline);
        await RunForAsync(f, Minute, TimeSpan.FromSeconds(5));

        Assert.Empty(f.Dispatcher.Dispatched);
        Assert.Empty(await f.Store.GetInstancesAsync(taskId));
    }

    /// <summary>A pause arrives while one of the task's occurrences is being sent: it waits until that dispatch is recorded, so it leaves the
    /// occurrence running instead of taking it back (and planning it again on resume, which sent it a second time).</summary>
    [Fact]
    public async Task Pause_WhileAnOccurrenceIsBeingSent_WaitsForItsRecord_SoResumeDoesNotSendItAgain()
    {
        var statusAtChange = new List<TaskInstanceState>();
        LoopFixture? fixture = null;
        using var f = fixture = new LoopFixture(wrapStore: inner => Intercept(inner, c => c.Before(nameof(IDefinitionStore.ChangeDefinitionAsync), async () =>
        {
            if (statusAtChange.Count == 0) // the pause (the resume comes later)
            {
                statusAtChange.AddRange((await fixture!.Store.GetInstancesAsync(fixture.Dispatcher.Dispatched.Single().Message.TaskId)).Select(i => i.Status));
            }
        })));
        var taskId = await f.ScheduleAsync(EveryMinute());
        var sending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var broker = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        f.Dispatcher.Gate = async (_, _) =>
        {
            sending.TrySetResult();
            await broker.Task;
        };
        f.Time.Advance(Minute);
        await f.SchedulerLoop.RunOnceAsync();
        await f.Runner.ClaimOnceAsync();
        var dispatching = f.Runner.DispatchDueAsync();
        await sending.Task.WaitAsync(Eventually.Deadline); // 12:01 is being sent

        var pausing = f.Scheduling.PauseAsync(taskId);
        broker.SetResult(); // the broker accepts it
        await dispatching.WaitAsync(Eventually.Deadline);
        await pausing.WaitAsync(Eventually.Deadline);
        await f.Scheduling.ResumeAsync(taskId);
        await RunForAsync(f, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5));

        Assert.Equal([TaskInstanceState.Dispatched], statusAtChange); // recorded before the pause looked
        Assert.Equal([LoopFixture.Start + Minute], f.Dispatcher.Dispatched.Select(d => d.Message.FireTime)); // once, not again after resume
    }

    /// <summary>A pause commits while the runner's claim of the task's occurrence is under way (in the store, not yet among the claims the
    /// runner holds): the check after the change must see that claim too.</summary>
    [Fact]
    public async Task Pause_WhileAClaimOfItsOccurrenceIsUnderWay_ChecksThatClaimToo()
    {
        var claimed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var claimReturns = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = 0;
        using var f = new LoopFixture(wrapStore: inner => Intercept(inner, c => c.After(nameof(IRunnerStore.ClaimDueInstancesAsync), () =>
        {
            if (Interlocked.Exchange(ref first, 1) == 1)
            {
                return Task.CompletedTask;
            }

            claimed.TrySetResult();
            return claimReturns.Task;
        })));
        var taskId = await f.ScheduleAsync(EveryMinute());
        f.Time.Advance(Minute - TimeSpan.FromSeconds(5));
        await f.SchedulerLoop.RunOnceAsync();
        var claiming = f.Runner.ClaimOnceAsync();
        await claimed.Task.WaitAsync(Eventually.Deadline); // 12:01 claimed in the store; the runner does not hold it yet

        var pausing = f.Scheduling.PauseAsync(taskId);
        await Eventually.UntilAsync(() => f.Store.GetDefinitionAsync(taskId).Result!.PausedAt is not null, "the pause commits");
        claimReturns.SetResult();
        await claiming.WaitAsync(Eventually.Deadline);
        await pausing.WaitAsync(Eventually.Deadline);
        f.Time.Advance(TimeSpan.FromSeconds(5));
        await f.Runner.DispatchDueAsync(); // 12:01 due, before the runner's next poll would learn of the pause from the store
        await RunForAsync(f, Minute, TimeSpan.FromSeconds(5));

        Assert.Empty(f.Dispatcher.Dispatched);
    }

    private static ITaskStore Intercept(ITaskStore inner, Action<InterceptedStore> configure)
    {
        var (store, control) = InterceptedStore.Wrap(inner);
        configure(control);
        return store;
    }

    [Fact]
    public async Task ScheduleAgain_MakesACancelledTaskFireAgain_FromNow_AndIsRefusedForALiveTask()
    {
        using var f = new LoopFixture();
        var command = EveryMinute() with { TaskId = Guid.NewGuid() };
        var taskId = await f.ScheduleAsync(command);
        await f.Scheduling.CancelAsync(taskId);
        f.Time.Advance(TimeSpan.FromMinutes(3) - TimeSpan.FromSeconds(30)); // 12:02:30

        var again = await f.Scheduling.ScheduleAgainAsync(command with { Trigger = "*/2 * * * *", StartAt = null });
        await RunForAsync(f, TimeSpan.FromMinutes(3), TimeSpan.FromSeconds(5));

        Assert.Equal((true, TaskState.Active), (again!.Changed, again.Task.State));
        Assert.Equal([LoopFixture.Start + 4 * Minute], f.Dispatcher.Dispatched.Select(d => d.Message.FireTime)); // nothing before, every 2 min after
        var live = await Assert.ThrowsAsync<TaskValidationException>(() => f.Scheduling.ScheduleAgainAsync(command));
        Assert.Contains("is not cancelled", live.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resume_UnderSkip_FiresNoneOfTheMissed()
    {
        using var f = new LoopFixture();
        var taskId = await f.ScheduleAsync(EveryMinute(MisfirePolicy.Skip));
        await f.Scheduling.PauseAsync(taskId);
        await RunForAsync(f, TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10));

        await f.Scheduling.ResumeAsync(taskId);
        await RunForAsync(f, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5));

        // 12:01 to 12:04 are misfires, skipped; 12:05 is younger than the misfire threshold and fires late.
        Assert.Equal([LoopFixture.Start + 5 * Minute, LoopFixture.Start + 6 * Minute], f.Dispatcher.Dispatched.Select(d => d.Message.FireTime));
    }

    [Fact]
    public async Task Pause_StopsAnotherNodesHeldOccurrence_AtThatNodesNextPoll()
    {
        using var a = new LoopFixture(nodeId: "a");
        using var b = new LoopFixture(nodeId: "b", store: a.Store, time: a.Time);
        var taskId = await a.ScheduleAsync(EveryMinute());
        a.Time.Advance(Minute - TimeSpan.FromSeconds(5));
        await b.TickAsync();
        Assert.Equal(1, b.Runner.HeldCount);

        await a.Scheduling.PauseAsync(taskId);
        a.Time.Advance(a.Options.Value.PollInterval);
        await b.Runner.ClaimOnceAsync(); // b's poll: it learns of the change and checks its claims
        a.Time.Advance(TimeSpan.FromSeconds(5));
        await b.Runner.DispatchDueAsync();

        Assert.Empty(b.Dispatcher.Dispatched);
    }

    [Fact]
    public async Task PauseAndResume_AreIdempotent_AndRefusedForACancelledTask()
    {
        using var f = new LoopFixture();
        var taskId = await f.ScheduleAsync(EveryMinute());

        Assert.False((await f.Scheduling.ResumeAsync(taskId))!.Changed);
        Assert.True((await f.Scheduling.PauseAsync(taskId))!.Changed);
        Assert.False((await f.Scheduling.PauseAsync(taskId))!.Changed);
        Assert.Null(await f.Scheduling.PauseAsync(Guid.NewGuid()));
        await f.Scheduling.CancelAsync(taskId);
        var refused = await Assert.ThrowsAsync<TaskValidationException>(() => f.Scheduling.ResumeAsync(taskId));
        Assert.Contains($"Task {taskId} was cancelled", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateOfTheTrigger_ReplansFromNow_TakesBackWhatWasPlanned_AndLeavesTheRunningAttempt()
    {
        using var f = new LoopFixture();
        var taskId = await f.ScheduleAsync(EveryMinute());
        f.Time.Advance(Minute);
        await f.TickAsync(); // 12:01 dispatched (running); 12:02 not yet planned
        var running = Assert.Single(await f.Store.GetInstancesAsync(taskId));
        f.Time.Advance(TimeSpan.FromSeconds(55));
        await f.TickAsync(); // 12:02 planned and held

        var updated = await f.Scheduling.UpdateAsync(new UpdateTask { TaskId = taskId, Trigger = "30 * * * *" });

        Assert.Equal(LoopFixture.Start + TimeSpan.FromMinutes(30), updated!.Task.NextFireTime);
        Assert.Equal([running.Id], (await f.Store.GetInstancesAsync(taskId)).Select(i => i.Id));
        Assert.Equal(TaskInstanceState.Dispatched, (await f.Store.GetInstanceAsync(running.Id))!.Status);
        await RunForAsync(f, TimeSpan.FromMinutes(30), TimeSpan.FromSeconds(5));
        Assert.Equal([LoopFixture.Start + Minute, LoopFixture.Start + TimeSpan.FromMinutes(30)],
            f.Dispatcher.Dispatched.Select(d => d.Message.FireTime)); // not 12:31: the new trigger, not a cached copy of the old one
    }

    [Fact]
    public async Task UpdateOfExpireAfter_ReplansTheOccurrencesNotBegun_WithTheNewValue()
    {
        using var f = new LoopFixture();
        var taskId = await f.ScheduleAsync(EveryMinute());
        f.Time.Advance(Minute - TimeSpan.FromSeconds(5));
        await f.TickAsync();

        var updated = await f.Scheduling.UpdateAsync(new UpdateTask { TaskId = taskId, ExpireAfter = TimeSpan.FromMinutes(9) });
        f.Time.Advance(TimeSpan.FromSeconds(5));
        await f.TickAsync();

        Assert.True(updated!.Changed);
        var dispatched = Assert.Single(f.Dispatcher.Dispatched).Message;
        Assert.Equal((LoopFixture.Start + Minute, TimeSpan.FromMinutes(9)), (dispatched.FireTime, dispatched.ExpireAfter));
    }

    [Fact]
    public async Task Update_WithTheSameValues_ChangesNothing_AndAPhraseIsComparedByMeaning()
    {
        using var f = new LoopFixture();
        var taskId = await f.ScheduleAsync(new ScheduleTask { Trigger = "every day at 9am", TimeZone = "Europe/Berlin" });
        var before = (await f.Store.GetDefinitionAsync(taskId))!;

        var same = await f.Scheduling.UpdateAsync(new UpdateTask { TaskId = taskId, Trigger = "every day at 9am", TimeZone = "Europe/Berlin" });
        var invalid = await Assert.ThrowsAsync<TaskValidationException>(() =>
            f.Scheduling.UpdateAsync(new UpdateTask { TaskId = taskId, ExpireAfter = TimeSpan.FromDays(30) }));

        Assert.False(same!.Changed);
        Assert.Equal(before.Version, (await f.Store.GetDefinitionAsync(taskId))!.Version);
        Assert.Contains("ExpireAfter 30.00:00:00 is out of range", invalid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TriggerNow_DispatchesOneExtraInstance_OnceForOneInstanceId()
    {
        using var f = new LoopFixture();
        var taskId = await f.ScheduleAsync(new ScheduleTask { Trigger = "0 9 * * *", Overlap = OverlapPolicy.AllowAll });
        var instanceId = Guid.NewGuid();

        var first = await f.Scheduling.TriggerNowAsync(taskId, instanceId);
        var repeat = await f.Scheduling.TriggerNowAsync(taskId, instanceId);
        var other = await f.Scheduling.TriggerNowAsync(taskId, Guid.NewGuid()); // the same instant: moved on by a microsecond
        await f.TickAsync();

        Assert.Equal((true, false, true), (first!.Changed, repeat!.Changed, other!.Changed));
        Assert.Equal(2, f.Dispatcher.Dispatched.Count);
        Assert.Contains(f.Dispatcher.Dispatched, d => d.Message.InstanceId == instanceId && d.Message.FireTime == LoopFixture.Start.AddTicks(10));
        Assert.Null(await f.Scheduling.TriggerNowAsync(Guid.NewGuid(), Guid.NewGuid()));
    }

    [Fact]
    public async Task Overlap_Skip_RecordsTheOccurrenceDueWhileTheLastRunIsActive_AndBufferOneRunsItAfter()
    {
        using var f = new LoopFixture();
        var skip = await f.ScheduleAsync(EveryMinute(overlap: OverlapPolicy.Skip));
        var buffer = await f.ScheduleAsync(EveryMinute(overlap: OverlapPolicy.BufferOne));
        await RunForAsync(f, TimeSpan.FromMinutes(3), TimeSpan.FromSeconds(5)); // nobody reports an outcome: 12:01 stays running

        var skipped = (await f.Store.GetInstancesAsync(skip)).Where(i => i.Status == TaskInstanceState.Skipped).ToList();
        Assert.Equal([LoopFixture.Start + 2 * Minute, LoopFixture.Start + 3 * Minute], skipped.Select(i => i.FireTime));
        Assert.All(skipped, i => Assert.StartsWith("Skipped by overlap policy Skip: the occurrence of 2025-01-01T12:01:00", i.LastError, StringComparison.Ordinal));
        var buffered = await f.Store.GetInstancesAsync(buffer);
        Assert.Equal((TaskInstanceState.Scheduled, LoopFixture.Start + 2 * Minute), (buffered[1].Status, buffered[1].FireTime)); // waiting
        Assert.Equal(TaskInstanceState.Skipped, buffered[2].Status);
        Assert.Equal(2, f.Dispatcher.Dispatched.Count); // the two 12:01 runs

        // The running 12:01 occurrence of the buffered task completes: the waiting one runs at the next check.
        var running = buffered[0];
        await f.Store.ApplyOutcomesAsync([new InstanceOutcome(running.Id, running.Attempt, OutcomeKind.Completed, f.Time.GetUtcNow())]);
        await RunForAsync(f, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1));
        Assert.Contains(f.Dispatcher.Dispatched, d => d.Message.TaskId == buffer && d.Message.FireTime == LoopFixture.Start + 2 * Minute);
    }

    [Fact]
    public async Task Overlap_IsNeverChecked_ForAOneOffTask_OrARetry()
    {
        using var f = new LoopFixture();
        var once = await f.ScheduleAsync(LoopFixture.Once(TimeSpan.Zero));
        await f.Scheduling.TriggerNowAsync(once, Guid.NewGuid());
        await f.TickAsync();

        Assert.Equal(2, f.Dispatcher.Dispatched.Count(d => d.Message.TaskId == once));
    }

    [Theory]
    [InlineData(OverlapPolicy.Skip, new[] { nameof(OverlapDecision.Dispatch), nameof(OverlapDecision.Skip), nameof(OverlapDecision.Skip) })]
    [InlineData(OverlapPolicy.BufferOne, new[] { nameof(OverlapDecision.Dispatch), nameof(OverlapDecision.Wait), nameof(OverlapDecision.Skip) })]
    [InlineData(OverlapPolicy.AllowAll, new[] { nameof(OverlapDecision.Dispatch), nameof(OverlapDecision.Dispatch), nameof(OverlapDecision.Dispatch) })]
    public void OverlapRule_DecidesOccurrencesOfOneBatch_InFireTimeOrder(OverlapPolicy policy, string[] expected)
    {
        var taskId = Guid.NewGuid();
        ClaimedInstance Claim(int second) => new(new TaskInstance
        {
            Id = Guid.NewGuid(), DefinitionId = taskId, FireTime = LoopFixture.Start.AddSeconds(second), Status = TaskInstanceState.Claimed,
            Attempt = 1, ExpireAfter = Minute, Retry = RetryPolicy.Default,
        }, new Dictionary<string, string>(), null, null, Overlap: policy);
        var batch = new[] { Claim(2), Claim(0), Claim(1) }; // decided by fire time, answered in batch order

        var decisions = OverlapRule.Decide(batch, []);

        Assert.Equal([expected[2], expected[0], expected[1]], decisions.Select(d => d.Decision.ToString()));
    }

    [Fact]
    public void OverlapRule_DispatchesARetry_EvenBesideAnActiveRun()
    {
        var taskId = Guid.NewGuid();
        var retry = new ClaimedInstance(new TaskInstance
        {
            Id = Guid.NewGuid(), DefinitionId = taskId, FireTime = LoopFixture.Start, Status = TaskInstanceState.Claimed, Attempt = 2,
            LastError = "attempt 1 failed", ExpireAfter = Minute, Retry = RetryPolicy.Default,
        }, new Dictionary<string, string>(), null, null, Overlap: OverlapPolicy.Skip);

        var decision = Assert.Single(OverlapRule.Decide([retry], [new OpenOccurrence(taskId, Guid.NewGuid(), LoopFixture.Start.AddMinutes(1), Begun: true)]));

        Assert.Equal(OverlapDecision.Dispatch, decision.Decision);
    }

    /// <summary>A pause on another node takes back this node's claim before this node's runner polled for the change; the runner learns of it
    /// when the claim's renewal before the send fails: it drops the claim unsent, and logs no Warning (an operator asked for it; a claim lost to
    /// a lapse is what warrants one).</summary>
    [Fact]
    public async Task ClaimTakenBackByAPauseOnAnotherNode_IsDroppedUnsent_WithoutAWarning()
    {
        using var a = new LoopFixture(o => o.LeaseDuration = TimeSpan.FromSeconds(6), nodeId: "a");
        using var b = new LoopFixture(o => o.LeaseDuration = TimeSpan.FromSeconds(6), nodeId: "b", store: a.Store, time: a.Time);
        var taskId = await a.ScheduleAsync(EveryMinute());
        a.Time.Advance(Minute - TimeSpan.FromSeconds(5));
        await a.SchedulerLoop.RunOnceAsync();
        Assert.Equal(1, await a.Runner.ClaimOnceAsync()); // 12:01, leased until 12:01:06

        await b.Scheduling.PauseAsync(taskId);
        a.Time.Advance(TimeSpan.FromSeconds(10)); // 12:01:05: due, a second of lease left, so it is renewed before the send

        Assert.Equal(0, await a.Runner.DispatchDueAsync());
        Assert.Empty(a.Dispatcher.Dispatched);
        Assert.Equal(0, a.Runner.HeldCount);
        Assert.Empty(a.RunnerLog.Warnings);
    }
}
