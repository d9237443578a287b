using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Scheduler.Core.Runtime;
using Scheduler.Core.Storage;

namespace Scheduler.Core.Tests.Runtime;

public sealed class ClusterMembershipTests
{
    [Fact]
    public async Task Starting_RecordsTheClusterName_InAStoreOfNoCluster()
    {
        var store = new InMemoryTaskStore();
        var membership = Membership(store, "billing");

        await membership.StartingAsync(CancellationToken.None);

        Assert.Equal("billing", membership.Identity!.ClusterName);
        Assert.Equal(membership.Identity, await store.JoinClusterAsync("other", DateTimeOffset.UnixEpoch));
    }

    [Fact]
    public async Task Starting_ThrowsNamingBothClusters_WhenTheStoreBelongsToAnother()
    {
        var membership = Membership(new InMemoryTaskStore("orders"), "billing");

        var refusal = await Assert.ThrowsAsync<ClusterMismatchException>(() => membership.StartingAsync(CancellationToken.None));

        Assert.Contains("belongs to cluster 'orders'", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("configured for cluster 'billing'", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Starting_AsksEveryMarker_WithTheDatabasesIdentity()
    {
        var marker = new RecordingMarker();
        var membership = Membership(new InMemoryTaskStore(), "billing", marker);

        await membership.StartingAsync(CancellationToken.None);

        Assert.Equal(membership.Identity, Assert.Single(marker.Marked));
    }

    [Fact]
    public async Task Starting_LeavesANewDatabaseUnrecorded_WhenAMarkerRefuses()
    {
        var store = new InMemoryTaskStore();
        var membership = Membership(store, "scheduler", new RefusingMarker());

        await Assert.ThrowsAsync<ClusterMismatchException>(() => membership.StartingAsync(CancellationToken.None));

        Assert.Equal("billing", (await store.JoinClusterAsync("billing", DateTimeOffset.UnixEpoch)).ClusterName); // free to join another cluster
    }

    private static ClusterMembership Membership(ITaskStore store, string clusterName, params IClusterMarker[] markers) =>
        new(store, markers, Options.Create(new SchedulerOptions { ClusterName = clusterName }), TimeProvider.System, NullLogger<ClusterMembership>.Instance);

    private sealed class RefusingMarker : IClusterMarker
    {
        public Task MarkAsync(ClusterIdentity identity, CancellationToken cancellationToken = default) =>
            throw new ClusterMismatchException("The queues of cluster 'scheduler' serve another database.");
    }

    private sealed class RecordingMarker : IClusterMarker
    {
        public List<ClusterIdentity> Marked { get; } = [];

        public Task MarkAsync(ClusterIdentity identity, CancellationToken cancellationToken = default)
        {
            Marked.Add(identity);
            return Task.CompletedTask;
        }
    }
}
