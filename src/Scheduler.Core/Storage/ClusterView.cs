namespace Scheduler.Core.Storage;

/// <summary>What the task instances table says about the cluster at one moment (<see cref="IAdminStore.GetClusterViewAsync"/>).</summary>
/// <param name="Now">The moment it describes (UTC, <see cref="ClusterViewRequest.Now"/>).</param>
/// <param name="BacklogDueNow">Instances due at or before now and not yet dispatched: Scheduled (a first attempt or a retry) or Claimed by a
/// node that has not dispatched it yet, with <c>due_at</c> at or before now. A healthy cluster keeps this near 0.</param>
/// <param name="OldestDueAt">The earliest <c>due_at</c> among them (UTC); <see langword="null"/> when there are none.</param>
/// <param name="Nodes">The scheduler nodes, by node id: every node with a run recorded (idle ones too, and ones that stopped ticking, shown
/// not live), and any node id that holds claims without one (<see cref="NodeStatus"/>).</param>
/// <param name="Activity">One bucket per <see cref="ClusterViewRequest.BucketSize"/> from <see cref="ClusterViewRequest.ActivitySince"/>
/// to now, oldest first.</param>
public sealed record ClusterView(DateTimeOffset Now, int BacklogDueNow, DateTimeOffset? OldestDueAt, IReadOnlyList<NodeStatus> Nodes, IReadOnlyList<ActivityBucket> Activity);
