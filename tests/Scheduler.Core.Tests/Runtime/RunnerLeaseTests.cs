using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Scheduler.Contracts;
using Scheduler.Core.Storage;

namespace Scheduler.Core.Tests.Runtime;

/// <summary>
/// A live node never dispatches an attempt on a claim it may have lost (issue #7): a dispatcher slower than the lease, leases renewed while a node
/// is behind, and a burst larger than <see cref="SchedulerOptions.MaxHeld"/>. Time is fake; the broker is a gate the test opens.
/// </summary>
public class RunnerLeaseTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private static ScheduleTask Once(TimeSpan fromStart) => new()
    {
        Trigger = (LoopFixture.Start + fromStart).ToString("O", CultureInfo.InvariantCulture),
    };

    /// <summary>Publishes that wait until the test releases them (or their cancellation token fires).</summary>
    private sealed class Broker
    {
        public Channel<(TaskDue Message, TaskCompletionSource Release)> Started { get; } = Channel.CreateUnbounded<(TaskDue, TaskCompletionSource)>();

        public async Task PublishAsync(TaskDue message, CancellationToken cancellationToken)
        {
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await Started.Writer.WriteAsync((message, release), cancellationToken);
            await release.Task.WaitAsync(cancellationToken);
        }

        public async Task<(TaskDue Message, TaskCompletionSource Release)> NextAsync() =>
            await Started.Reader.ReadAsync().AsTask().WaitAsync(Eventually.Deadline);
    }

    /// <summary>Node a (one publish at a time, through a gated broker) holds the claims of <paramref name="tasks"/> tasks due at the start;
    /// node b shares its store and clock.</summary>
    private static async Task<(LoopFixture A, LoopFixture B, Broker Broker, List<Guid> TaskIds)> TwoNodesAsync(int tasks,
        Func<ITaskStore, ITaskStore>? wrapStore = null)
    {
        // A send timeout longer than the lease: here the lease alone bounds each publish.
        var a = new LoopFixture(o => { o.MaxConcurrentDispatches = 1; o.LeaseDuration = Lease; o.SendTimeout = TimeSpan.FromMinutes(5); }, nodeId: "a",
            wrapStore: wrapStore);
        var b = new LoopFixture(o => o.LeaseDuration = Lease, nodeId: "b", store: a.Store, time: a.Time);
        var broker = new Broker();
        a.Dispatcher.Gate = broker.PublishAsync;
        var taskIds = new List<Guid>();
        for (var n = 0; n < tasks; n++)
        {
            taskIds.Add(await a.ScheduleAsync(Once(TimeSpan.Zero)));
        }

        await a.SchedulerLoop.RunOnceAsync();
        Assert.Equal(tasks, await a.Runner.ClaimOnceAsync());
        return (a, b, broker, taskIds);
    }

    [Fact]
    public async Task SlowDispatcher_NeverPublishesOnALapsingClaim_RenewsShortLeasesFirst_NoInstanceIsDispatchedTwice_NoneIsLost()
    {
        // Node a publishes one at a time, and its broker is slow: the first publish takes 20 s of its 30 s leases.
        var renewalFails = 0; // 1: the next lease renewal fails (a slow database)
        var (a, b, broker, taskIds) = await TwoNodesAsync(tasks: 4, inner =>
        {
            var (store, control) = InterceptedStore.Wrap(inner);
            control.Before(nameof(IRunnerStore.RenewLeasesAsync),
                () => Interlocked.Exchange(ref renewalFails, 0) == 1 ? throw new TimeoutException("database slow") : Task.CompletedTask);
            return store;
        }); // node a holds the 4 claims, leases until Start + 30 s
        using var disposeA = a;
        using var disposeB = b;
        var dispatching = a.Runner.DispatchDueAsync();

        var first = await broker.NextAsync();
        a.Time.Advance(TimeSpan.FromSeconds(20));
        // With 10 s of its lease left, the first send renews it itself (the claim loop is not polling here).
        await Eventually.UntilAsync(() => a.Store.GetInstanceAsync(first.Message.InstanceId).Result!.LeaseExpiresAt == LoopFixture.Start.AddSeconds(50),
            "the first send renews its claim's lease");
        Volatile.Write(ref renewalFails, 1);
        first.Release.SetResult(); // the first publish completes at Start + 20 s, inside its lease

        // The second starts with 10 s of lease left, and the database is slow now: its own renewal fails, so it may take only until 5 s
        // before the lease ends, and the broker is still slow.
        var second = await broker.NextAsync();
        a.Time.Advance(TimeSpan.FromSeconds(6));

        // Its send times out and node a releases it (the attempt number given back). The third has 4 s of lease left, less than a third of
        // the lease: node a renews it before it publishes, so it holds it for a full lease again; it never publishes on a lapsing claim.
        var third = await broker.NextAsync();
        Assert.False(second.Release.Task.IsCompleted);
        await Eventually.UntilAsync(() => a.Store.GetInstanceAsync(second.Message.InstanceId).Result!.Status == TaskInstanceState.Scheduled,
            "node a releases the claim whose send timed out");
        Assert.Equal(a.Time.GetUtcNow() + Lease, (await a.Store.GetInstanceAsync(third.Message.InstanceId))!.LeaseExpiresAt);

        // Another node takes the released one at once (the same attempt number, nothing used up), and none of those node a renewed.
        Assert.Equal(1, await b.Runner.ClaimOnceAsync());
        Assert.Equal(1, await b.Runner.DispatchDueAsync());
        third.Release.SetResult();
        var fourth = await broker.NextAsync(); // renewed too (its lease had as little left)
        fourth.Release.SetResult();
        Assert.Equal(3, await dispatching.WaitAsync(Eventually.Deadline));
        a.Time.Advance(TimeSpan.FromMinutes(2)); // past every lease: nothing is left for anyone
        Assert.Equal(0, await a.Runner.ClaimOnceAsync());
        Assert.Equal(0, await b.Runner.ClaimOnceAsync());

        var dispatched = a.Dispatcher.Dispatched.Concat(b.Dispatcher.Dispatched).Select(d => d.Message).ToList();
        Assert.Equal(taskIds.Order(), dispatched.Select(m => m.TaskId).Order()); // each task exactly once: none twice, none lost
        Assert.Equal([second.Message.InstanceId], b.Dispatcher.Dispatched.Select(d => d.Message.InstanceId));
        Assert.All(dispatched, m => Assert.Equal(1, m.Attempt));
        foreach (var taskId in taskIds)
        {
            Assert.Equal(TaskInstanceState.Dispatched, (await a.SingleInstanceAsync(taskId)).Status);
        }
    }

    /// <summary>A slow send keeps its claim (it renews its lease as it goes, as does the claim loop) and runs for its whole send timeout: the
    /// lease bounds a send only while it cannot be renewed (CI: a first send on a busy broker took longer than what was left of a 3 s lease,
    /// and was abandoned although the lease could have been renewed).</summary>
    [Fact]
    public async Task SlowSend_OnAClaimRenewedMeanwhile_IsNotCutOffByItsFirstLease_AndDispatchesOnce()
    {
        var (a, b, broker, taskIds) = await TwoNodesAsync(tasks: 1); // lease until Start + 30 s: a send started now may take until Start + 25 s
        using var disposeA = a;
        using var disposeB = b;
        var dispatching = a.Runner.DispatchDueAsync();
        var send = await broker.NextAsync();

        for (var n = 0; n < 6; n++) // a minute of a slow broker, node a polling (and renewing a lease with less than half left) as usual
        {
            a.Time.Advance(Lease / 3);
            await a.Runner.ClaimOnceAsync();
            Assert.Equal(0, await b.Runner.ClaimOnceAsync()); // still node a's
        }

        Assert.False(send.Release.Task.IsCompleted);
        Assert.False(dispatching.IsCompleted); // not abandoned at Start + 25 s: the lease it ran on was renewed
        send.Release.SetResult();
        Assert.Equal(1, await dispatching.WaitAsync(Eventually.Deadline));
        Assert.Equal(TaskInstanceState.Dispatched, (await a.SingleInstanceAsync(taskIds[0])).Status);
        Assert.Empty(b.Dispatcher.Dispatched);
    }

    /// <summary>A send renews its claim's lease a whole margin before its bound (when half the lease is left), so a renewal that takes longer
    /// than half a margin — a loaded database at Serializable — still moves the bound before it is reached (CI: a renewal started half a
    /// margin before the bound of a 3 s lease ended after it, and a send on a busy broker was cut off).</summary>
    [Fact]
    public async Task SlowSend_WhoseRenewalIsSlow_StartsItEarlyEnough_AndKeepsItsClaim()
    {
        var renewalStarted = new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously);
        var renewalEnds = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        LoopFixture? node = null;
        var (a, b, broker, taskIds) = await TwoNodesAsync(tasks: 1, inner =>
        {
            var (store, control) = InterceptedStore.Wrap(inner);
            control.Before(nameof(IRunnerStore.RenewLeasesAsync), () =>
            {
                renewalStarted.TrySetResult(node!.Time.GetUtcNow());
                return renewalEnds.Task; // the database takes its time
            });
            return store;
        }); // lease until Start + 30 s (a margin of 10 s): the send's bound is Start + 25 s
        node = a;
        using var disposeA = a;
        using var disposeB = b;
        var dispatching = a.Runner.DispatchDueAsync();
        var send = await broker.NextAsync();

        a.Time.Advance(TimeSpan.FromSeconds(15)); // half the lease left: the send renews it
        Assert.Equal(LoopFixture.Start.AddSeconds(15), await renewalStarted.Task.WaitAsync(Eventually.Deadline));
        a.Time.Advance(TimeSpan.FromSeconds(8)); // the renewal takes 8 s, more than half a margin, and ends before the bound
        renewalEnds.SetResult();
        await Eventually.UntilAsync(() => a.Store.GetInstanceAsync(send.Message.InstanceId).Result!.LeaseExpiresAt > LoopFixture.Start.AddSeconds(30),
            "the renewal extends the lease");
        a.Time.Advance(TimeSpan.FromSeconds(5)); // past the first bound (Start + 25 s)

        Assert.False(dispatching.IsCompleted); // not cut off: the bound moved with the lease
        Assert.Equal(0, await b.Runner.ClaimOnceAsync()); // still node a's
        send.Release.SetResult();
        Assert.Equal(1, await dispatching.WaitAsync(Eventually.Deadline));
        Assert.Equal(TaskInstanceState.Dispatched, (await a.SingleInstanceAsync(taskIds[0])).Status);
    }

    /// <summary>A sent TaskDue whose dispatch record is slow (a busy database) keeps its claim renewed until the record is written: its lease
    /// must not lapse meanwhile, or another node would take the claim over with the same attempt number and send it a second time.</summary>
    [Fact]
    public async Task SentClaim_WhoseRecordIsSlow_IsRenewed_SoNoOtherNodeSendsTheSameAttemptAgain()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var recordsWaiting = 0;
        using var a = new LoopFixture(o => o.LeaseDuration = Lease, nodeId: "a", wrapStore: inner =>
        {
            var (store, control) = InterceptedStore.Wrap(inner);
            control.Before(nameof(IRunnerStore.RecordDispatchesAsync), async () =>
            {
                Interlocked.Increment(ref recordsWaiting);
                await gate.Task;
            });
            return store;
        });
        using var b = new LoopFixture(o => o.LeaseDuration = Lease, nodeId: "b", store: a.Store, time: a.Time);
        var runner = a.Runner;
        var taskId = await a.ScheduleAsync(Once(TimeSpan.Zero));
        await a.SchedulerLoop.RunOnceAsync();
        Assert.Equal(1, await runner.ClaimOnceAsync());

        var dispatching = runner.DispatchDueAsync(); // sent at once; its record waits at the gate
        await Eventually.UntilAsync(() => a.Dispatcher.Dispatched.Count == 1 && Volatile.Read(ref recordsWaiting) == 1, "node a sends and starts recording");
        for (var n = 0; n < 4; n++) // two leases' time, node a polling as usual
        {
            a.Time.Advance(Lease / 2);
            await runner.ClaimOnceAsync();
            Assert.Equal(0, await b.Runner.ClaimOnceAsync()); // the sent claim is still node a's: renewed while its record waits
        }

        gate.SetResult();
        Assert.Equal(1, await dispatching.WaitAsync(Eventually.Deadline));
        Assert.Equal(TaskInstanceState.Dispatched, (await a.SingleInstanceAsync(taskId)).Status);
        Assert.Empty(b.Dispatcher.Dispatched);
        Assert.Equal(0, runner.ClaimCount);
    }

    [Fact]
    public async Task NodeBehindItsLeases_RenewsThem_SoNoOtherNodeTakesItsClaimsOver()
    {
        var (a, b, broker, _) = await TwoNodesAsync(tasks: 3);
        using var disposeA = a;
        using var disposeB = b;
        var dispatching = a.Runner.DispatchDueAsync();
        var publishes = new ConcurrentBag<Guid>();

        // Each publish takes 20 s; between them node a polls (claims), which renews the leases that run low.
        for (var n = 0; n < 3; n++)
        {
            var publish = await broker.NextAsync();
            a.Time.Advance(TimeSpan.FromSeconds(20));
            await a.Runner.ClaimOnceAsync();
            Assert.Equal(0, await b.Runner.ClaimOnceAsync()); // the renewed leases keep node b off, even past the first lease's end
            publishes.Add(publish.Message.InstanceId);
            publish.Release.SetResult();
        }

        Assert.Equal(3, await dispatching.WaitAsync(Eventually.Deadline));
        Assert.Equal(3, publishes.Distinct().Count());
        Assert.Empty(b.Dispatcher.Dispatched);
        Assert.Equal(0, a.Runner.ClaimCount);
    }

    [Fact]
    public async Task BurstLargerThanMaxHeld_IsClaimedInPortions_AndDispatchedOnceEach()
    {
        const int tasks = 250;
        using var f = new LoopFixture(o => { o.MaxHeld = 40; o.ClaimBatchSize = 25; o.MaterializeBatchSize = 1000; });
        for (var n = 0; n < tasks; n++)
        {
            await f.ScheduleAsync(Once(TimeSpan.FromSeconds(1)));
        }

        await f.SchedulerLoop.RunOnceAsync();
        var peak = 0;
        for (var round = 0; round < tasks && f.Dispatcher.Dispatched.Count < tasks; round++)
        {
            await f.Runner.ClaimOnceAsync();
            peak = Math.Max(peak, f.Runner.ClaimCount);
            f.Time.Advance(TimeSpan.FromSeconds(1));
            await f.Runner.DispatchDueAsync();
        }

        Assert.Equal(40, peak);
        var dispatched = f.Dispatcher.Dispatched.Select(d => d.Message).ToList();
        Assert.Equal(tasks, dispatched.Count);
        Assert.Equal(tasks, dispatched.Select(m => m.InstanceId).Distinct().Count());
        Assert.All(dispatched, m => Assert.Equal(1, m.Attempt));
    }

    /// <summary>A claim taken off the heap for its send while the node's run is not live (its sign of life could not be recorded) is not this
    /// process's any more: it is forgotten, not kept held and unsent (renewed for good once the run is live again, as a fault test found: 62
    /// instances stayed Claimed after both nodes were frozen 30 s). Its lease lapses and it is claimed and sent again.</summary>
    [Fact]
    public async Task ClaimTakenForItsSend_WhileTheRunIsNotLive_IsForgotten_AndSentOnceItIsClaimedAgain()
    {
        var refreshFails = false;
        ITaskStore? nodeStore = null;
        using var f = new LoopFixture(o => { o.LeaseDuration = TimeSpan.FromSeconds(6); o.NodeLivenessTimeout = TimeSpan.FromSeconds(9); }, wrapStore: inner =>
        {
            var (store, control) = InterceptedStore.Wrap(inner);
            control.Before(nameof(INodeStore.RefreshNodeRunAsync), () => refreshFails ? throw new TimeoutException("database unreachable") : Task.CompletedTask);
            return nodeStore = store;
        });
        var run = new Scheduler.Core.Runtime.NodeRun(nodeStore!, f.Options, f.Time, Microsoft.Extensions.Logging.Abstractions.NullLogger<Scheduler.Core.Runtime.NodeRun>.Instance);
        await run.StartAsync(CancellationToken.None);
        f.Runner.Node = run;
        await f.ScheduleAsync(Once(TimeSpan.FromSeconds(5)));
        await f.SchedulerLoop.RunOnceAsync();
        Assert.Equal(1, await f.Runner.ClaimOnceAsync()); // due 12:00:05, leased until 12:00:11

        refreshFails = true;
        f.Time.Advance(TimeSpan.FromSeconds(10)); // 12:00:10: no sign of life since 12:00:00, so not live; a second of lease left
        Assert.False(run.IsLive);
        Assert.Equal(0, await f.Runner.DispatchDueAsync()); // the renewal before the send is refused: not sent

        refreshFails = false;
        await run.RefreshAsync(CancellationToken.None); // live again
        f.Time.Advance(TimeSpan.FromSeconds(2)); // 12:00:12: the lease has lapsed
        Assert.Equal(1, await f.Runner.ClaimOnceAsync());
        Assert.Equal(1, await f.Runner.DispatchDueAsync());

        Assert.Equal(1, Assert.Single(f.Dispatcher.Dispatched).Message.Attempt);
        await run.StopAsync(CancellationToken.None);
    }

    /// <summary>A failed lease renewal is harmless once (a claim whose lease runs low is released, not sent): no Warning; renewals failing for
    /// half a lease are, once, and the node says when they succeed again.</summary>
    [Fact]
    public async Task RenewalFailures_WarnOnlyOnceTheyLastHalfALease()
    {
        var failing = false;
        using var f = new LoopFixture(o => o.LeaseDuration = Lease, wrapStore: inner =>
        {
            var (store, control) = InterceptedStore.Wrap(inner);
            control.Before(nameof(IRunnerStore.RenewLeasesAsync), () => failing ? throw new TimeoutException("database busy") : Task.CompletedTask);
            return store;
        });
        await f.ScheduleAsync(Once(TimeSpan.FromSeconds(5)));
        await f.SchedulerLoop.RunOnceAsync();
        Assert.Equal(1, await f.Runner.ClaimOnceAsync()); // leased until 12:00:35

        failing = true;
        f.Time.Advance(TimeSpan.FromSeconds(21)); // under half the lease left: renewed at this poll, which fails
        await f.Runner.ClaimOnceAsync();
        Assert.Contains(f.RunnerLog.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Debug && e.Message.StartsWith("Could not renew", StringComparison.Ordinal));
        Assert.Empty(f.RunnerLog.Warnings);

        f.Time.Advance(TimeSpan.FromSeconds(16)); // failing for 16 s, over half the lease
        await f.Runner.ClaimOnceAsync();
        f.Time.Advance(TimeSpan.FromSeconds(1));
        await f.Runner.ClaimOnceAsync();
        Assert.StartsWith("Lease renewals have failed for 16 s", Assert.Single(f.RunnerLog.Warnings), StringComparison.Ordinal);

        failing = false;
        f.Time.Advance(Lease);
        await f.Runner.ClaimOnceAsync();
        Assert.Contains(f.RunnerLog.Entries, e => e.Message == "Lease renewals succeed again");
        Assert.Single(f.RunnerLog.Warnings);
    }

    /// <summary>When ending the claim of one skipped occurrence fails (a busy database), the runner must forget every claim of the batch it did
    /// not send: a claim it kept would be renewed for ever and never sent, ended or claimed again.</summary>
    [Fact]
    public async Task SkippedOccurrences_AreEndedLater_WhenEndingTheFirstOfTheirClaimsFailed()
    {
        var failures = 1;
        using var f = new LoopFixture(o => o.LeaseDuration = Lease, wrapStore: inner =>
        {
            var (store, control) = InterceptedStore.Wrap(inner);
            control.Before(nameof(IRunnerStore.EndClaimsAsync), () => Interlocked.Exchange(ref failures, 0) == 1
                ? Task.FromException(new TimeoutException("The database did not answer in time."))
                : Task.CompletedTask);
            return store;
        });
        var tasks = new[]
        {
            await f.ScheduleAsync(new ScheduleTask { Trigger = "*/2 * * * * *", Overlap = OverlapPolicy.Skip }),
            await f.ScheduleAsync(new ScheduleTask { Trigger = "*/2 * * * * *", Overlap = OverlapPolicy.Skip }),
        };
        await f.TickAsync(); // the first occurrences go out and are never reported: they are still running
        f.Time.Advance(TimeSpan.FromSeconds(2));
        await f.TickAsync(); // the next ones are skipped; ending the first skip's claim fails
        Assert.Equal(0, Volatile.Read(ref failures));

        for (var elapsed = TimeSpan.Zero; elapsed < 3 * Lease; elapsed += Lease / 4)
        {
            f.Time.Advance(Lease / 4);
            await f.TickAsync();
        }

        foreach (var taskId in tasks)
        {
            var second = (await f.Store.GetInstancesAsync(taskId))[1];
            Assert.Equal(LoopFixture.Start.AddSeconds(2), second.FireTime);
            Assert.Equal(TaskInstanceState.Skipped, second.Status);
        }
    }

    /// <summary>Batches are dispatched side by side. When the overlap check of one is slow (a busy database), the check of the next batch
    /// sees the first batch's occurrence still Claimed, not begun, in the store: it must count it as begun all the same, or both occurrences
    /// run at once.</summary>
    [Theory]
    [InlineData(OverlapPolicy.Skip, TaskInstanceState.Skipped)]
    [InlineData(OverlapPolicy.BufferOne, TaskInstanceState.Scheduled)]
    public async Task NextOccurrence_IsNotDispatched_WhileTheOverlapCheckOfTheBatchBeforeItIsStillRunning(OverlapPolicy overlap, TaskInstanceState next)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var checks = 0;
        using var f = new LoopFixture(wrapStore: inner =>
        {
            var (store, control) = InterceptedStore.Wrap(inner);
            control.Before(nameof(IRunnerStore.GetOpenOccurrencesAsync), () => Interlocked.Increment(ref checks) == 1 ? gate.Task : Task.CompletedTask);
            return store;
        });
        var taskId = await f.ScheduleAsync(new ScheduleTask { Trigger = "* * * * * *", Overlap = overlap });
        await f.SchedulerLoop.RunOnceAsync();
        await f.Runner.ClaimOnceAsync();
        f.Time.Advance(TimeSpan.FromSeconds(1));
        var first = f.Runner.DispatchDueAsync(); // its overlap check waits at the gate
        await Eventually.UntilAsync(() => Volatile.Read(ref checks) == 1, "the first batch's overlap check starts");
        f.Time.Advance(TimeSpan.FromSeconds(1));

        await f.Runner.DispatchDueAsync(); // the next second's occurrence, checked while the first is
        gate.SetResult();
        await first;

        var instances = await f.Store.GetInstancesAsync(taskId);
        Assert.Single(f.Dispatcher.Dispatched);
        Assert.Equal(instances[0].Id, f.Dispatcher.Dispatched[0].Message.InstanceId);
        Assert.Equal(next, instances[1].Status);
    }
}
