using Scheduler.Core.Storage;

namespace Scheduler.Core.Runtime;

/// <summary>
/// Leaves a durable mark of this node's database on the cluster's queues (on the broker), or finds the mark of another database there. Called
/// at start by <see cref="ClusterMembership"/> after the database's identity is known, before any loop runs. Register one per transport that can
/// hold a mark (Scheduler.Host registers one for RabbitMQ); none is needed.
/// </summary>
public interface IClusterMarker
{
    /// <summary>Marks the cluster's queues as used by <paramref name="identity"/>'s database, or checks that they are.</summary>
    /// <param name="identity">This node's database's identity.</param>
    /// <param name="cancellationToken">Cancels the check (the node's start).</param>
    /// <exception cref="ClusterMismatchException">The queues bear the mark of another database; the message names both.</exception>
    Task MarkAsync(ClusterIdentity identity, CancellationToken cancellationToken = default);
}
