using Microsoft.Extensions.Diagnostics.HealthChecks;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Runtime;
using Scheduler.Core.Storage;

namespace Scheduler.Core.Tests.Runtime;

/// <summary>
/// Faults at the broker and poisoned input never strand, duplicate or falsely fail a task (issue #8): a broker that fails or hangs trips the
/// runner's circuit breaker, which releases the claims and resumes by itself; a dispatch refused for its own sake uses up attempts and ends
/// dead-lettered with the reason; a command reusing a task id with other content is refused. Time is fake.
/// </summary>
public class RunnerFaultTests
{
    private static ScheduleTask Once(TimeSpan fromStart, string? queue = null, RetryPolicy? retry = null, TimeSpan? expireAfter = null) =>
        LoopFixture.Once(fromStart) with { DestinationQueue = queue, Retry = retry, ExpireAfter = expireAfter };

    private static async Task<HealthStatus> ReadinessAsync(LoopFixture f) =>
        (await new SchedulerHealthCheck(f.Runner).CheckHealthAsync(new HealthCheckContext())).Status;

    [Fact]
    public async Task FailingBroker_OpensTheCircuit_ReleasesEveryClaim_ProbesAfterTheRetryInterval_AndResumesByItself()
    {
        using var f = new LoopFixture(o => o.SendRetryInterval = TimeSpan.FromSeconds(5));
        var taskIds = new List<Guid>();
        for (var n = 0; n < 6; n++)
        {
            taskIds.Add(await f.ScheduleAsync(Once(TimeSpan.Zero)));
        }

        f.Dispatcher.Fail = true;
        await f.TickAsync();

        // Every send failed or was refused by the open circuit: every claim was given back, attempt number included.
        Assert.True(f.Runner.SendsFailing);
        Assert.Equal(HealthStatus.Unhealthy, await ReadinessAsync(f));
        Assert.Equal(0, f.Runner.ClaimCount);
        foreach (var taskId in taskIds)
        {
            var instance = await f.SingleInstanceAsync(taskId);
            Assert.Equal(TaskInstanceState.Scheduled, instance.Status);
            Assert.Equal(0, instance.Attempt);
        }

        // Until the retry interval has passed the node claims nothing; then it probes the broker, and resumes once the probe succeeds.
        f.Time.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));
        f.Dispatcher.Fail = false; // the broker is back
        Assert.Equal(0, await f.Runner.ClaimOnceAsync());
        Assert.True(f.Runner.SendsFailing);
        f.Time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(6, await f.Runner.ClaimOnceAsync()); // the probe went through: the circuit closed, the node claims as usual
        Assert.False(f.Runner.SendsFailing);
        Assert.Equal(HealthStatus.Healthy, await ReadinessAsync(f));
        Assert.Equal(6, await f.Runner.DispatchDueAsync());
        var dispatched = f.Dispatcher.Dispatched.Select(d => d.Message).ToList();
        Assert.Equal(taskIds.Order(), dispatched.Select(m => m.TaskId).Order()); // each once
        Assert.All(dispatched, m => Assert.Equal(1, m.Attempt)); // the outage used up no attempt
    }

    [Fact]
    public async Task BrokerOutage_LongerThanExpireAfter_DoesNotExpireTheRunningAttempts_TheyGetExpireAfterAgainWhenSendsSucceed()
    {
        // While the broker is away no worker's heartbeat can arrive: silence then proves nothing about the workers.
        using var f = new LoopFixture(o => o.SendRetryInterval = TimeSpan.FromSeconds(5));
        var running = await f.ScheduleAsync(Once(TimeSpan.Zero, expireAfter: TimeSpan.FromSeconds(30)));
        await f.TickAsync();
        await f.ReportStartsAsync(running); // running, expires 30 s from now
        for (var n = 0; n < 3; n++)
        {
            await f.ScheduleAsync(Once(TimeSpan.FromSeconds(1)));
        }

        f.Dispatcher.Fail = true; // the broker goes away
        f.Time.Advance(TimeSpan.FromSeconds(1));
        await f.TickAsync();
        Assert.True(f.Runner.SendsFailing);
        f.Time.Advance(TimeSpan.FromSeconds(40)); // past the running attempt's expiry
        f.Dispatcher.Fail = false;
        await f.Runner.ClaimOnceAsync(); // the probe succeeds: before claiming anything the node gives running attempts their ExpireAfter again
        await f.Runner.DispatchDueAsync();

        var instance = await f.SingleInstanceAsync(running);
        Assert.Equal((TaskInstanceState.Dispatched, 1), (instance.Status, instance.Attempt));
        Assert.Equal(f.Time.GetUtcNow() + TimeSpan.FromSeconds(30), instance.DueAt);
        Assert.Equal(1, f.Dispatcher.Dispatched.Count(d => d.Message.TaskId == running));
    }

    [Fact]
    public async Task ReportsNotArriving_TheRunnerClaimsNoExpiredAttempt_UntilTheyArriveAgain()
    {
        using var f = new LoopFixture();
        var taskId = await f.ScheduleAsync(Once(TimeSpan.Zero, expireAfter: TimeSpan.FromSeconds(30)));
        await f.TickAsync();
        await f.ReportStartsAsync(taskId);
        f.Signals.ReportsArriving = false; // the node's report endpoint lost its connection
        f.Time.Advance(TimeSpan.FromSeconds(31));
        await f.TickAsync();
        Assert.Single(f.Dispatcher.Dispatched);

        f.Signals.ReportsArriving = true;
        f.Signals.ReportsResumed?.Invoke();
        await f.TickAsync();
        Assert.Single(f.Dispatcher.Dispatched); // the attempt got its ExpireAfter again from now
        f.Time.Advance(TimeSpan.FromSeconds(30));
        await f.TickAsync();
        Assert.Equal([1, 2], f.Dispatcher.Dispatched.Select(d => d.Message.Attempt)); // still silent ExpireAfter after: dispatched again
    }

    [Fact]
    public async Task FailedProbe_KeepsTheCircuitOpen_UntilTheNextInterval()
    {
        using var f = new LoopFixture(o => o.SendRetryInterval = TimeSpan.FromSeconds(5));
        var taskIds = new List<Guid>();
        for (var n = 0; n < 3; n++)
        {
            taskIds.Add(await f.ScheduleAsync(Once(TimeSpan.Zero)));
        }

        f.Dispatcher.Fail = true;
        await f.TickAsync();
        Assert.True(f.Runner.SendsFailing);

        f.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(0, await f.Runner.ClaimOnceAsync()); // the probe failed: the broker is still down
        Assert.True(f.Runner.SendsFailing);
        f.Dispatcher.Fail = false;
        Assert.Equal(0, await f.Runner.ClaimOnceAsync()); // the next probe waits for the next interval
        f.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(3, await f.Runner.ClaimOnceAsync());
        Assert.All(await Task.WhenAll(taskIds.Select(f.SingleInstanceAsync)), i => Assert.Equal((TaskInstanceState.Claimed, 1), (i.Status, i.Attempt)));
    }

    [Fact]
    public async Task HungSend_IsAbandonedAtTheSendTimeout_AndItsClaimReleased_WithTheAttemptGivenBack()
    {
        using var f = new LoopFixture(o => o.SendTimeout = TimeSpan.FromSeconds(2));
        var taskId = await f.ScheduleAsync(Once(TimeSpan.Zero));
        var hung = new TaskCompletionSource();
        f.Dispatcher.Gate = (_, _) => hung.Task; // ignores its cancellation token, as a hung broker connection does

        await f.SchedulerLoop.RunOnceAsync();
        await f.Runner.ClaimOnceAsync();
        var dispatching = f.Runner.DispatchDueAsync();
        Assert.False(dispatching.IsCompleted);

        f.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, await dispatching.WaitAsync(Eventually.Deadline));
        var instance = await f.SingleInstanceAsync(taskId);
        Assert.Equal((TaskInstanceState.Scheduled, 0, null), (instance.Status, instance.Attempt, instance.LeaseOwner));
        Assert.Equal(0, f.Runner.ClaimCount);
    }

    [Fact]
    public async Task StoppingNode_WithItsSendHung_StopsWithinTheSendTimeout_AndReleasesTheClaim()
    {
        using var f = new LoopFixture(o => o.SendTimeout = TimeSpan.FromSeconds(3));
        var sending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        f.Dispatcher.Gate = (_, _) =>
        {
            sending.TrySetResult();
            return new TaskCompletionSource().Task; // never returns, whatever its token says
        };
        var taskId = await f.ScheduleAsync(Once(TimeSpan.Zero));
        await f.SchedulerLoop.RunOnceAsync();

        await f.Runner.StartAsync(CancellationToken.None);
        await sending.Task.WaitAsync(Eventually.Deadline);
        var stopping = f.Runner.StopAsync(CancellationToken.None);
        f.Time.Advance(TimeSpan.FromSeconds(3));
        await stopping.WaitAsync(Eventually.Deadline);

        var instance = await f.SingleInstanceAsync(taskId);
        Assert.Equal((TaskInstanceState.Scheduled, 0, null), (instance.Status, instance.Attempt, instance.LeaseOwner)); // another node takes it at once
    }

    [Fact]
    public async Task InvalidStoredDestination_UsesUpEachAttempt_EndsDeadLetteredWithTheReason_AndNeverTouchesOtherTasks()
    {
        using var f = new LoopFixture();
        f.Dispatcher.Clock = f.Time;
        var good = await f.ScheduleAsync(Once(TimeSpan.Zero, queue: "good-queue"));
        // A definition stored before destinations were validated (or written by hand): scheduling would refuse it now.
        var valid = TaskDefinitionFactory.Create(Once(TimeSpan.Zero, queue: "placeholder",
            retry: new RetryPolicy { MaxAttempts = 2, InitialBackoff = TimeSpan.FromSeconds(1), Jitter = false }), f.Time.GetUtcNow());
        var poisoned = new TaskDefinition
        {
            Id = Guid.NewGuid(), TriggerKind = valid.TriggerKind, Trigger = valid.Trigger, TimeZoneId = valid.TimeZoneId, StartAt = valid.StartAt,
            Metadata = valid.Metadata, ExpireAfter = valid.ExpireAfter, Retry = valid.Retry, CreatedAt = valid.CreatedAt, NextFireTime = valid.NextFireTime,
            DestinationQueue = "amq.poisoned",
        };
        await f.Store.AddDefinitionAsync(poisoned);

        await f.TickAsync();
        var afterFirst = await f.SingleInstanceAsync(poisoned.Id);
        Assert.Equal(TaskInstanceState.Scheduled, afterFirst.Status);
        Assert.Equal(1, afterFirst.Attempt); // used up, unlike a release
        Assert.Equal(LoopFixture.Start.AddSeconds(1), afterFirst.DueAt); // the task's backoff
        Assert.Contains("starts with 'amq.'", afterFirst.LastError, StringComparison.Ordinal);

        f.Time.Advance(TimeSpan.FromSeconds(1));
        await f.TickAsync();
        var dead = await f.SingleInstanceAsync(poisoned.Id);
        Assert.Equal((TaskInstanceState.Failed, 2), (dead.Status, dead.Attempt));
        var published = Assert.Single(f.Dispatcher.DeadLettered);
        Assert.Equal(poisoned.Id, published.TaskId);
        Assert.Contains("Attempt 2 was not dispatched: DestinationQueue 'amq.poisoned' starts with 'amq.'", published.Reason, StringComparison.Ordinal);

        Assert.Equal(good, Assert.Single(f.Dispatcher.Dispatched).Message.TaskId);
        Assert.False(f.Runner.SendsFailing);
        f.Time.Advance(TimeSpan.FromHours(1));
        await f.TickAsync();
        Assert.Equal(TaskInstanceState.Failed, (await f.SingleInstanceAsync(poisoned.Id)).Status); // not retried forever
        Assert.Single(f.Dispatcher.DeadLettered);
    }

    [Fact]
    public async Task MessageTheBrokerRefuses_UsesUpTheAttempt_AndDoesNotOpenTheCircuit()
    {
        using var f = new LoopFixture();
        var taskIds = new List<Guid>();
        for (var n = 0; n < 5; n++)
        {
            taskIds.Add(await f.ScheduleAsync(Once(TimeSpan.Zero, retry: RetryPolicy.None)));
        }

        f.Dispatcher.Gate = (_, _) => throw new DispatchRejectedException("PRECONDITION_FAILED - message size 200000000 is larger than max size");
        await f.TickAsync();

        Assert.False(f.Runner.SendsFailing); // five refusals of five messages say nothing about the broker
        Assert.Equal(5, f.Dispatcher.DeadLettered.Count);
        foreach (var taskId in taskIds)
        {
            var instance = await f.SingleInstanceAsync(taskId);
            Assert.Equal((TaskInstanceState.Failed, 1), (instance.Status, instance.Attempt));
            Assert.Contains("Attempt 1 was refused by the broker: PRECONDITION_FAILED", instance.LastError, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task CancelledTask_WhoseAttemptWasRunning_IsNeverDispatchedAgain_NotAfterExpireAfter_NorAsARetry()
    {
        using var f = new LoopFixture();
        var retry = new RetryPolicy { MaxAttempts = 5, InitialBackoff = TimeSpan.FromSeconds(1), Jitter = false };
        var expires = await f.ScheduleAsync(Once(TimeSpan.Zero, retry: retry) with { ExpireAfter = TimeSpan.FromSeconds(30) });
        var fails = await f.ScheduleAsync(Once(TimeSpan.Zero, retry: retry) with { ExpireAfter = TimeSpan.FromSeconds(30) });
        await f.TickAsync();
        Assert.Equal(2, f.Dispatcher.Dispatched.Count); // both attempts 1 are running

        Assert.True((await f.Scheduling.CancelAsync(expires)).Found);
        Assert.True((await f.Scheduling.CancelAsync(fails)).Found);
        var running = await f.SingleInstanceAsync(fails);
        Assert.Equal(TaskInstanceState.Dispatched, running.Status); // a running attempt may finish

        // The worker reports attempt 1 of one failed: the saga schedules a retry, as it does for any task ...
        Assert.Equal([true], await f.Store.ApplyOutcomesAsync([new InstanceOutcome(running.Id, 1, OutcomeKind.RetryScheduled, f.Time.GetUtcNow())
        {
            RetryAt = f.Time.GetUtcNow().AddSeconds(1), Error = "boom",
        }]));

        // ... and the other's attempt expires without an outcome; neither is dispatched again, each ends Cancelled, on any node.
        f.Time.Advance(TimeSpan.FromSeconds(31));
        await f.TickAsync();
        f.Time.Advance(TimeSpan.FromMinutes(10)); // long after every node forgot the cancellation it heard about
        await f.TickAsync();

        Assert.Equal(2, f.Dispatcher.Dispatched.Count);
        Assert.Equal(TaskInstanceState.Cancelled, (await f.SingleInstanceAsync(expires)).Status);
        var retried = await f.SingleInstanceAsync(fails);
        Assert.Equal(TaskInstanceState.Cancelled, retried.Status);
        Assert.Equal("boom", retried.LastError);
        Assert.Empty(f.Dispatcher.DeadLettered);
    }

    [Fact]
    public async Task ScheduleTask_ReusingATaskIdWithOtherContent_IsRejectedNamingTheField_TheSameContentIsAlreadyScheduled()
    {
        using var f = new LoopFixture();
        var taskId = Guid.NewGuid();
        var first = new ScheduleTask { TaskId = taskId, Trigger = "0 9 * * *", Metadata = new Dictionary<string, string> { ["k"] = "v" } };
        Assert.False((await f.Scheduling.ScheduleAsync(first)).AlreadyScheduled);

        Assert.True((await f.Scheduling.ScheduleAsync(first with { Metadata = new Dictionary<string, string> { ["k"] = "v" } })).AlreadyScheduled);
        var changed = await Assert.ThrowsAsync<TaskValidationException>(() => f.Scheduling.ScheduleAsync(first with { Trigger = "0 10 * * *" }));
        Assert.Contains($"TaskId {taskId} is already scheduled with a different Trigger: stored 'Cron 0 9 * * *', this command 'Cron 0 10 * * *'",
            changed.Message, StringComparison.Ordinal);
        var metadata = await Assert.ThrowsAsync<TaskValidationException>(() =>
            f.Scheduling.ScheduleAsync(first with { Metadata = new Dictionary<string, string> { ["k"] = "w" } }));
        Assert.Contains("different Metadata: stored {k=v}, this command {k=w}", metadata.Message, StringComparison.Ordinal);

        // The same within one batch, by idempotency key: the first is stored, the repeat answered, the changed one refused.
        var keyed = new ScheduleTask { Trigger = "0 9 * * *", IdempotencyKey = "invoice-42", Payload = "a" };
        var results = await f.Scheduling.ScheduleManyAsync([keyed, keyed, keyed with { Payload = "b" }]);
        Assert.False(results[0].Scheduled!.AlreadyScheduled);
        Assert.True(results[1].Scheduled!.AlreadyScheduled);
        Assert.Contains("IdempotencyKey 'invoice-42' is already scheduled with a different Payload", results[2].Rejected!.Reason, StringComparison.Ordinal);
        Assert.Equal(results[0].Scheduled!.TaskId, results[1].Scheduled!.TaskId);
        Assert.Equal("a", (await f.Store.GetDefinitionAsync(results[0].Scheduled!.TaskId))!.Payload);
        Assert.Equal("0 9 * * *", (await f.Store.GetDefinitionAsync(taskId))!.Trigger); // nothing was changed by the refused commands
    }
}
