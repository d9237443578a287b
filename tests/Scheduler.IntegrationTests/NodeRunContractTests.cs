using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;
using static Scheduler.IntegrationTests.TestData;

namespace Scheduler.IntegrationTests;

/// <summary>Node runs (issue #19, item 7): a node that starts again under its node id takes its earlier run's claims back at once; a second live
/// run of one node id is refused and takes nothing. On every store.</summary>
public abstract partial class TaskStoreContractTests
{
    private static readonly TimeSpan Liveness = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task StartNodeRun_EndsTheClaimsTheNodesEarlierRunLeft_SoTheyAreClaimedAtOnceWithTheirAttempt()
    {
        var (_, instances) = await SeedAsync(Store, T0, T0.AddSeconds(5), T0.AddSeconds(1));
        var left = await ClaimAsync(Claim("node-a", T0, maxCount: 2)); // its earlier run: killed while holding these (due T0 and T0 + 1 s)
        var other = Assert.Single(await ClaimAsync(Claim("node-b", T0)));
        var now = T0.AddSeconds(2);

        var start = await Store.StartNodeRunAsync(Run("node-a", Guid.NewGuid(), now));

        Assert.Equal(new NodeRunStart(true, 2), start);
        var retaken = await ClaimAsync(Claim("node-a", now)); // well before their leases (T0 + 30 s, T0 + 35 s) ran out
        Assert.Equal(left.Select(c => c.Instance.Id).Order(), retaken.Select(c => c.Instance.Id).Order());
        Assert.DoesNotContain(instances[1].Id, retaken.Select(c => c.Instance.Id));
        Assert.All(retaken, c => Assert.Equal(1, c.Instance.Attempt)); // never recorded as dispatched: the attempt number carries over
        Assert.All(retaken, c => Assert.Equal(TaskInstanceState.Claimed, c.Instance.Status));
        var untouched = (await Store.GetInstanceAsync(other.Instance.Id))!;
        Assert.Equal(("node-b", other.Instance.LeaseExpiresAt), (untouched.LeaseOwner, untouched.LeaseExpiresAt)); // another node's claim
        // That run shows no sign of life either: the next run takes back what it claimed, in turn.
        Assert.Equal(new NodeRunStart(true, 2), await Store.StartNodeRunAsync(Run("node-a", Guid.NewGuid(), now + Liveness)));
    }

    [Fact]
    public async Task StartNodeRun_IsRefusedWhileAnotherRunOfTheNodeIdIsLive_AndTakesNothing()
    {
        await SeedAsync(Store, T0);
        var (first, second) = (Guid.NewGuid(), Guid.NewGuid());
        Assert.Equal(new NodeRunStart(true, 0), await Store.StartNodeRunAsync(Run("node-a", first, T0)));
        var claim = Assert.Single(await ClaimAsync(Claim("node-a", T0)));

        Assert.Equal(new NodeRunStart(false, 0, first, T0), await Store.StartNodeRunAsync(Run("node-a", second, T0.AddSeconds(9))));
        Assert.True(await Store.RefreshNodeRunAsync("node-a", first, T0.AddSeconds(8), null));
        Assert.Equal(new NodeRunStart(false, 0, first, T0.AddSeconds(8)), await Store.StartNodeRunAsync(Run("node-a", second, T0.AddSeconds(17))));
        var held = (await Store.GetInstanceAsync(claim.Instance.Id))!;
        Assert.Equal(("node-a", claim.Instance.LeaseExpiresAt), (held.LeaseOwner, held.LeaseExpiresAt)); // the live run's claim is left alone
        Assert.Equal(new NodeRunStart(true, 0), await Store.StartNodeRunAsync(Run("node-b", second, T0.AddSeconds(17)))); // another node id

        // The first run shows no sign of life for the liveness timeout: it is over, and the second takes over the node id and its claim.
        Assert.Equal(new NodeRunStart(true, 1), await Store.StartNodeRunAsync(Run("node-a", second, T0.AddSeconds(18))));
        Assert.False(await Store.RefreshNodeRunAsync("node-a", first, T0.AddSeconds(19), null));
        Assert.False(await Store.EndNodeRunAsync("node-a", first));
        Assert.True(await Store.RefreshNodeRunAsync("node-a", second, T0.AddSeconds(19), null));
    }

    [Fact]
    public async Task EndNodeRun_LetsTheNodeIdStartAgainAtOnce()
    {
        var first = Guid.NewGuid();
        await Store.StartNodeRunAsync(Run("node-a", first, T0));

        Assert.True(await Store.EndNodeRunAsync("node-a", first));
        Assert.False(await Store.RefreshNodeRunAsync("node-a", first, T0.AddSeconds(1), null));
        Assert.Equal(new NodeRunStart(true, 0), await Store.StartNodeRunAsync(Run("node-a", Guid.NewGuid(), T0.AddSeconds(1))));
    }

    [Fact]
    public async Task StartNodeRun_StartsOneRun_WhenSeveralStartUnderOneNodeIdAtOnce()
    {
        var starts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Store.StartNodeRunAsync(Run("node-a", Guid.NewGuid(), T0))));

        var started = Assert.Single(starts, s => s.Started);
        Assert.All(starts.Where(s => !s.Started), s => Assert.Equal(T0, s.HolderSeenAt));
        Assert.Single(starts.Where(s => !s.Started).Select(s => s.HolderRunId).Distinct());
    }

    private static NodeRunRequest Run(string nodeId, Guid runId, DateTimeOffset now) =>
        new() { NodeId = nodeId, RunId = runId, Now = now, LivenessTimeout = Liveness };
}
