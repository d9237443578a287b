using Scheduler.Core.Storage;
using static Scheduler.IntegrationTests.TestData;

namespace Scheduler.IntegrationTests;

/// <summary>The contract of <see cref="INodeStore"/>.</summary>
public abstract partial class TaskStoreContractTests
{
    [Fact]
    public async Task JoinCluster_RecordsTheFirstClusterName_AndNeverChangesIt()
    {
        var first = await Store.JoinClusterAsync("alpha", T0);
        var again = await Store.JoinClusterAsync("alpha", T0.AddMinutes(1));
        var other = await Store.JoinClusterAsync("beta", T0.AddMinutes(2));

        Assert.Equal("alpha", first.ClusterName);
        Assert.NotEqual(Guid.Empty, first.DatabaseId);
        Assert.Equal(first, again);
        Assert.Equal(first, other); // a node of cluster beta is told who owns the database
    }

    [Fact]
    public async Task LeaveCluster_RemovesTheOwner_OnlyWhileTheDatabaseHoldsNoTask()
    {
        var first = await Store.JoinClusterAsync("alpha", T0);
        var stranger = first with { DatabaseId = Guid.NewGuid() };

        Assert.False(await Store.LeaveClusterAsync(stranger));
        Assert.True(await Store.LeaveClusterAsync(first));
        var second = await Store.JoinClusterAsync("beta", T0); // the database may join another cluster now
        Assert.Equal("beta", second.ClusterName);
        await Store.AddDefinitionAsync(Definition(nextFireTime: T0));
        Assert.False(await Store.LeaveClusterAsync(second)); // a database with tasks keeps its owner
        Assert.Equal(second, await Store.JoinClusterAsync("gamma", T0));
    }

    [Fact]
    public async Task JoinCluster_RecordsOneOwner_WhenNodesOfTwoClustersJoinAtOnce()
    {
        var identities = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Store.JoinClusterAsync(i % 2 == 0 ? "alpha" : "beta", T0)));

        Assert.Single(identities.Distinct());
    }
}
