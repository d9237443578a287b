using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;
using static Scheduler.IntegrationTests.TestData;

namespace Scheduler.IntegrationTests;

/// <summary>The operators' views (admin API, dashboard): backlog due now, nodes seen, activity per bucket and dead letters, on every store.</summary>
public abstract partial class TaskStoreContractTests
{
    [Fact]
    public async Task GetClusterView_CountsBacklogNodesAndActivity_FromTheInstancesTable()
    {
        var m = TimeSpan.FromMinutes(1);
        // e fired before the activity starts; a completes; b and g are dead-lettered; c is due and not dispatched; d is due in the future.
        var (_, instances) = await SeedAsync(Store, T0 - (5 * m), T0 + m, T0 + (3 * m), T0.AddSeconds(210), T0 + (5 * m), T0 + (20 * m));
        var (e, a, b, g, c, d) = (instances[0], instances[1], instances[2], instances[3], instances[4], instances[5]);
        async Task DispatchNextAsync(TaskInstance expected, DateTimeOffset claimAt, DateTimeOffset dispatchAt)
        {
            var claimed = Assert.Single(await ClaimAsync(Claim("node-a", claimAt, maxCount: 1)));
            Assert.Equal(expected.Id, claimed.Instance.Id);
            await Store.RecordDispatchesAsync(Record("node-a", new DispatchOutcome(expected.Id, 1, dispatchAt)));
        }

        await DispatchNextAsync(e, T0.AddSeconds(30), T0.AddSeconds(30)); // 5.5 min late
        await Store.ApplyOutcomesAsync([Completed(e.Id, 1, T0.AddSeconds(45))]);
        await DispatchNextAsync(a, T0 + m, T0.AddSeconds(62)); // 2 s late
        await Store.ApplyOutcomesAsync([Completed(a.Id, 1, T0.AddSeconds(150))]);
        await DispatchNextAsync(b, T0 + (3 * m), T0.AddSeconds(184)); // 4 s late
        await DispatchNextAsync(g, T0.AddSeconds(210), T0.AddSeconds(210)); // on time
        await Store.ApplyOutcomesAsync([
            new InstanceOutcome(b.Id, 1, OutcomeKind.DeadLettered, T0 + (4 * m)) { Error = "boom b" },
            new InstanceOutcome(g.Id, 1, OutcomeKind.DeadLettered, T0.AddSeconds(270)) { Error = "boom g" },
        ]);
        var now = T0 + (10 * m);
        Assert.Equal(2, (await ClaimAsync(Claim("node-b", now, window: TimeSpan.FromMinutes(15)))).Count); // c (due) and d (in 10 min)

        var view = await Store.GetClusterViewAsync(new ClusterViewRequest { Now = now, ActivitySince = T0, BucketSize = m });

        Assert.Equal((1, (DateTimeOffset?)c.FireTime), (view.BacklogDueNow, view.OldestDueAt));
        Assert.Equal([new NodeStatus("node-b", 2, d.FireTime.AddSeconds(30))], view.Nodes); // a lease owner with no run recorded: not live
        Assert.Equal(Enumerable.Range(0, 10).Select(k => T0 + (k * m)), view.Activity.Select(x => x.Start));
        Assert.Equal([1, 0, 1, 0, 0, 0, 0, 0, 0, 0], view.Activity.Select(x => x.Completed));
        Assert.Equal([0, 0, 0, 0, 2, 0, 0, 0, 0, 0], view.Activity.Select(x => x.Failed));
        Assert.Equal([1, 1, 0, 2, 0, 0, 0, 0, 0, 0], view.Activity.Select(x => x.Dispatched));
        Assert.Equal([330_000, 2_000, null, 2_000, null, null, null, null, null, null], view.Activity.Select(x => x.MeanLatenessMs));
        Assert.Equal([330_000, 2_000, null, 4_000, null, null, null, null, null, null], view.Activity.Select(x => x.MaxLatenessMs));
        Assert.Equal([0, 0, 0, 0, 0, 1, 1, 1, 1, 1], view.Activity.Select(x => x.Backlog));

        var deadLetters = await Store.ListDeadLettersAsync(new DeadLetterQuery { Take = 10 });
        Assert.Equal([(g.Id, "boom g"), (b.Id, "boom b")], deadLetters.Select(i => (i.Id, i.LastError)));
        Assert.Equal([b.Id], (await Store.ListDeadLettersAsync(new DeadLetterQuery { Skip = 1, Take = 10 })).Select(i => i.Id));
    }

    /// <summary>Issue #20, item 3: every node with a run recorded is listed — an idle one too, with its release and clock offset — and one that
    /// stopped ticking is listed not live, until a new run of its node id takes its record over; a node that stopped cleanly is gone.</summary>
    [Fact]
    public async Task GetClusterView_ListsEveryNodeRun_IdleOnesToo_AndOneThatStoppedTickingAsNotLive()
    {
        var (_, instances) = await SeedAsync(Store, T0);
        var liveness = TimeSpan.FromSeconds(10);
        NodeRunRequest Run(string node, Guid run, DateTimeOffset at, string? version) =>
            new() { NodeId = node, RunId = run, Now = at, LivenessTimeout = liveness, Version = version };
        var (busy, idle, frozen, stopped) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        Assert.True((await Store.StartNodeRunAsync(Run("node-busy", busy, T0 - TimeSpan.FromMinutes(5), "1.2.0+abc"))).Started);
        Assert.True((await Store.StartNodeRunAsync(Run("node-idle", idle, T0 - TimeSpan.FromMinutes(1), "1.3.0"))).Started);
        Assert.True((await Store.StartNodeRunAsync(Run("node-frozen", frozen, T0 - TimeSpan.FromMinutes(2), null))).Started);
        Assert.True((await Store.StartNodeRunAsync(Run("node-stopped", stopped, T0 - TimeSpan.FromMinutes(2), "1.3.0"))).Started);
        Assert.True(await Store.RefreshNodeRunAsync("node-busy", busy, T0.AddSeconds(-3), TimeSpan.FromMilliseconds(-12.5)));
        Assert.True(await Store.RefreshNodeRunAsync("node-idle", idle, T0.AddSeconds(-1), null));
        Assert.True(await Store.RefreshNodeRunAsync("node-frozen", frozen, T0.AddSeconds(-45), TimeSpan.FromMilliseconds(3)));
        Assert.True(await Store.EndNodeRunAsync("node-stopped", stopped));
        Assert.Single(await ClaimAsync(Claim("node-busy", T0)));

        var view = await Store.GetClusterViewAsync(new ClusterViewRequest
        {
            Now = T0, ActivitySince = T0.AddMinutes(-1), BucketSize = TimeSpan.FromMinutes(1), NodeLivenessTimeout = liveness,
        });

        Assert.Equal(["node-busy", "node-frozen", "node-idle"], view.Nodes.Select(n => n.NodeId));
        var (busyNode, frozenNode, idleNode) = (view.Nodes[0], view.Nodes[1], view.Nodes[2]);
        Assert.Equal((1, true, "1.2.0+abc", -12.5, T0 - TimeSpan.FromMinutes(5), T0.AddSeconds(-3)),
            (busyNode.Held, busyNode.Live, busyNode.Version, busyNode.ClockOffsetMs, busyNode.StartedAt, busyNode.SeenAt));
        Assert.Equal(instances[0].FireTime.AddSeconds(30), busyNode.LeaseExpiresAt);
        Assert.Equal((0, true, "1.3.0", (double?)null, (DateTimeOffset?)null), (idleNode.Held, idleNode.Live, idleNode.Version, idleNode.ClockOffsetMs, idleNode.LeaseExpiresAt));
        Assert.Equal((0, false, (string?)null, (double?)3, T0.AddSeconds(-45)), (frozenNode.Held, frozenNode.Live, frozenNode.Version, frozenNode.ClockOffsetMs, frozenNode.SeenAt));

        // A new run of the frozen node's id takes its record over: live again, its offset not yet measured.
        Assert.True((await Store.StartNodeRunAsync(Run("node-frozen", Guid.NewGuid(), T0, "1.3.0"))).Started);
        var after = await Store.GetClusterViewAsync(new ClusterViewRequest { Now = T0, ActivitySince = T0.AddMinutes(-1), BucketSize = TimeSpan.FromMinutes(1) });
        var restarted = Assert.Single(after.Nodes, n => n.NodeId == "node-frozen");
        Assert.Equal((true, "1.3.0", (double?)null, (DateTimeOffset?)T0), (restarted.Live, restarted.Version, restarted.ClockOffsetMs, restarted.StartedAt));
    }

    /// <summary>Issue #23, item 6: an instance's jitter is stored with it, and the view measures lateness (and arrival) from its fire time
    /// plus its jitter, when it came due.</summary>
    [Fact]
    public async Task GetClusterView_MeasuresLatenessFromTheFireTimePlusTheJitter()
    {
        var definition = Definition(nextFireTime: T0);
        await Store.AddDefinitionAsync(definition);
        var jittered = new TaskInstance
        {
            Id = Guid.NewGuid(), DefinitionId = definition.Id, FireTime = T0, Jitter = TimeSpan.FromMilliseconds(41_250),
            Status = TaskInstanceState.Scheduled, DueAt = T0.AddMilliseconds(41_250), ExpireAfter = definition.ExpireAfter, Retry = definition.Retry,
        };
        await Store.MaterializeDueDefinitionsAsync(Materialize(T0, _ => new MaterializePlan([jittered], null)));
        Assert.Equal(jittered.Jitter, Assert.Single(await Store.GetInstancesAsync(definition.Id)).Jitter);
        Assert.Empty(await ClaimAsync(Claim("node-a", T0.AddSeconds(30), window: TimeSpan.FromSeconds(10)))); // due at 41.25 s, not before
        Assert.Single(await ClaimAsync(Claim("node-a", T0.AddSeconds(40), window: TimeSpan.FromSeconds(10))));
        await Store.RecordDispatchesAsync(Record("node-a", new DispatchOutcome(jittered.Id, 1, T0.AddMilliseconds(41_500))));

        var view = await Store.GetClusterViewAsync(new ClusterViewRequest { Now = T0.AddMinutes(2), ActivitySince = T0, BucketSize = TimeSpan.FromMinutes(1) });

        Assert.Equal([250.0, null], view.Activity.Select(x => x.MaxLatenessMs));
        Assert.Equal([0, 0], view.Activity.Select(x => x.Backlog));
    }

    [Fact]
    public async Task GetClusterView_IsEmpty_WhenNothingHappened_AndCountsTheBacklogWaitingAtTheStart()
    {
        var (_, instances) = await SeedAsync(Store, T0.AddMinutes(-90));
        var request = new ClusterViewRequest { Now = T0, ActivitySince = T0.AddMinutes(-60), BucketSize = TimeSpan.FromMinutes(1) };

        var view = await Store.GetClusterViewAsync(request);

        Assert.Equal((1, (DateTimeOffset?)instances[0].FireTime), (view.BacklogDueNow, view.OldestDueAt));
        Assert.Empty(view.Nodes);
        Assert.Equal(60, view.Activity.Count);
        Assert.All(view.Activity, x => Assert.Equal((0, 0, 0, 1), (x.Completed, x.Failed, x.Dispatched, x.Backlog)));
        Assert.Empty(await Store.ListDeadLettersAsync(new DeadLetterQuery { Take = 10 }));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.GetClusterViewAsync(request with { BucketSize = TimeSpan.FromMilliseconds(1500) }));
    }
}
