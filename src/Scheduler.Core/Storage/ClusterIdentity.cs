namespace Scheduler.Core.Storage;

/// <summary>
/// Who a store's database belongs to, recorded by the first node that starts on it (<see cref="INodeStore.JoinClusterAsync"/>) and never
/// changed afterwards.
/// </summary>
/// <param name="ClusterName">The cluster name of the first node that started on the database (<see cref="Runtime.SchedulerOptions.ClusterName"/>).</param>
/// <param name="DatabaseId">A random id the database got at that start: it tells this database from another one of the same cluster name
/// (a copy, a fresh database after a reset), e.g. in the broker-side marker a node leaves on its queues.</param>
public sealed record ClusterIdentity(string ClusterName, Guid DatabaseId);
