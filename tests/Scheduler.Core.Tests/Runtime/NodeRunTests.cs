using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Scheduler.Core.Runtime;
using Scheduler.Core.Storage;

namespace Scheduler.Core.Tests.Runtime;

/// <summary>A node's run of its node id at start (issue #19, item 7), on fake time: an earlier run that shows no sign of life is taken over
/// after the liveness timeout; one that shows a new sign is a live process, and the start is refused.</summary>
public sealed class NodeRunTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Liveness = TimeSpan.FromSeconds(9);

    [Fact]
    public async Task Start_TakesTheNodeIdOver_OnceTheEarlierRunShowedNoSignOfLifeForTheLivenessTimeout()
    {
        var (time, inner, store, starts) = Setup();
        var earlier = Guid.NewGuid();
        await inner.StartNodeRunAsync(new NodeRunRequest { NodeId = "node-a", RunId = earlier, Now = T0, LivenessTimeout = Liveness });
        var run = Run(store, time);

        var starting = run.StartAsync(CancellationToken.None);
        await AdvanceUntilAsync(time, starting);

        await starting;
        Assert.True(run.Started);
        Assert.True(run.IsLive);
        // Refused while the earlier run's liveness lasted; started within a third of the timeout (how often it asks) after it lapsed.
        Assert.All(starts.SkipLast(1), at => Assert.True(at < T0 + Liveness, $"asked at {at:O}"));
        Assert.InRange(starts[^1], T0 + Liveness, T0 + Liveness + (Liveness / 3));
        Assert.False(await inner.RefreshNodeRunAsync("node-a", earlier, time.GetUtcNow(), null));
        await run.StopAsync(CancellationToken.None);
        Assert.Equal(new NodeRunStart(true, 0), await inner.StartNodeRunAsync(
            new NodeRunRequest { NodeId = "node-a", RunId = Guid.NewGuid(), Now = time.GetUtcNow(), LivenessTimeout = Liveness })); // ended on stop
    }

    [Fact]
    public async Task Start_IsRefusedNamingTheNodeIdAndTheFix_WhenTheEarlierRunShowsANewSignOfLife()
    {
        var (time, inner, store, starts) = Setup();
        var live = Guid.NewGuid();
        await inner.StartNodeRunAsync(new NodeRunRequest { NodeId = "node-a", RunId = live, Now = T0, LivenessTimeout = Liveness });
        var run = Run(store, time);

        var starting = run.StartAsync(CancellationToken.None);
        await Eventually.UntilAsync(() => starts.Count == 1, "the first start is refused");
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(await inner.RefreshNodeRunAsync("node-a", live, time.GetUtcNow(), null)); // the other process is alive
        await AdvanceUntilAsync(time, starting); // the start asks again within a third of the liveness timeout, long before it lapses

        var refusal = await Assert.ThrowsAsync<NodeIdInUseException>(() => starting);
        Assert.Contains("Another process runs as scheduler node 'node-a'", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("Give every node its own Scheduler:NodeId", refusal.Message, StringComparison.Ordinal);
        Assert.False(run.Started);
        Assert.True(await inner.RefreshNodeRunAsync("node-a", live, time.GetUtcNow(), null)); // the live run keeps its node id
    }

    [Fact]
    public async Task Refresh_WakesTheLoops_WhenItMakesTheRunLiveAgain_AndOnlyThen()
    {
        var (time, _, store, _) = Setup();
        var signals = new LoopSignals();
        var run = Run(store, time, signals);
        await run.StartAsync(CancellationToken.None);
        var woken = signals.Runner.WaitAsync(Liveness * 100, time, CancellationToken.None);

        // The run's own loop records its signs of life on a timer of the fake clock; the test records them itself, at set times.
        time.Advance(Liveness / 3);
        await run.RefreshAsync(CancellationToken.None); // a sign of life while live: the loops run at their own pace
        Assert.Equal(T0 + (Liveness / 3) + Liveness, run.LiveUntil);
        Assert.False(woken.IsCompleted);

        time.Advance(Liveness * 2); // a process frozen past its liveness: its next sign of life makes it live again, and the loops run at once
        await run.RefreshAsync(CancellationToken.None);
        await Eventually.UntilAsync(() => woken.IsCompleted, "the runner is woken");
        Assert.True(run.IsLive);
        await run.StopAsync(CancellationToken.None);
    }

    /// <summary>Moves fake time on in small steps until <paramref name="task"/> completes (its waits are on fake time).</summary>
    private static async Task AdvanceUntilAsync(FakeTimeProvider time, Task task)
    {
        var deadline = time.GetUtcNow() + (Liveness * 2);
        while (!task.IsCompleted && time.GetUtcNow() < deadline)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(1); // lets the start's continuation run
        }

        await Eventually.UntilAsync(() => task.IsCompleted, "the start completes");
    }

    private static (FakeTimeProvider Time, InMemoryTaskStore Inner, ITaskStore Store, List<DateTimeOffset> Starts) Setup()
    {
        var time = new FakeTimeProvider(T0);
        var inner = new InMemoryTaskStore();
        var (store, control) = InterceptedStore.Wrap(inner);
        var starts = new List<DateTimeOffset>();
        control.After(nameof(INodeStore.StartNodeRunAsync), () =>
        {
            lock (starts)
            {
                starts.Add(time.GetUtcNow());
            }

            return Task.CompletedTask;
        });
        return (time, inner, store, starts);
    }

    private static NodeRun Run(ITaskStore store, TimeProvider time, LoopSignals? signals = null) => new(store,
        Options.Create(new SchedulerOptions { NodeId = "node-a", NodeLivenessTimeout = Liveness }), time, NullLogger<NodeRun>.Instance,
        signals: signals);
}
