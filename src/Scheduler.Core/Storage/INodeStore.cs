namespace Scheduler.Core.Storage;

/// <summary>The cluster's records: who the database belongs to, which run holds each node id, and the database's clock.</summary>
/// <remarks>One of the ports of <see cref="ITaskStore"/>, which a store implements whole.</remarks>
public interface INodeStore
{
    /// <summary>
    /// Records <paramref name="clusterName"/> as the owner of the database, with a new random database id, unless an owner is recorded already
    /// (atomically: of two first nodes, one records); returns the owner as recorded. The owner is never changed.
    /// </summary>
    /// <param name="clusterName">The joining node's <see cref="Runtime.SchedulerOptions.ClusterName"/>.</param>
    /// <param name="now">The current time (UTC), recorded with a first owner.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The recorded identity; its cluster name differs from <paramref name="clusterName"/> when the database belongs to another cluster.</returns>
    Task<ClusterIdentity> JoinClusterAsync(string clusterName, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes the record of <paramref name="identity"/> as the database's owner while the database holds no task definition, so a node that
    /// recorded it and was then refused (a cluster marker: the cluster's queues serve another database) leaves a new database as it found it.
    /// </summary>
    /// <param name="identity">The identity <see cref="JoinClusterAsync"/> returned.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether the record was removed; <see langword="false"/> when another owner is recorded or the database holds tasks.</returns>
    Task<bool> LeaveClusterAsync(ClusterIdentity identity, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts a run of node <see cref="NodeRunRequest.NodeId"/>, in one transaction: unless another run of that node id showed a sign of life
    /// within <see cref="NodeRunRequest.LivenessTimeout"/> before <see cref="NodeRunRequest.Now"/>, records <see cref="NodeRunRequest.RunId"/> as
    /// the node id's run (live as of now) and ends every claim still leased to the node id (<see cref="TaskInstanceLifecycle.EndEarlierRunClaim"/>):
    /// the run that made them is over, so they are claimable at once, each with its attempt number, as a lapsed claim is. Otherwise writes nothing.
    /// </summary>
    /// <remarks>Two runs that start at once under one node id: one of them starts, the other is told who holds it. Quartz refuses a scheduler
    /// whose instance id another live instance checks in under in the same way.</remarks>
    /// <returns>Whether the run started and how many claims it took back, or who holds the node id.</returns>
    Task<NodeRunStart> StartNodeRunAsync(NodeRunRequest request, CancellationToken cancellationToken = default);

    /// <summary>Records a sign of life of run <paramref name="runId"/> of node <paramref name="nodeId"/> at <paramref name="now"/> (UTC), if that
    /// run still holds the node id, with its clock's offset from the database's as last measured (<paramref name="clockOffset"/>, shown to
    /// operators as <see cref="NodeStatus.ClockOffsetMs"/>; <see langword="null"/> when not measured).</summary>
    /// <returns><see langword="false"/> when another run took the node id over (this run's liveness had lapsed) or none holds it.</returns>
    Task<bool> RefreshNodeRunAsync(string nodeId, Guid runId, DateTimeOffset now, TimeSpan? clockOffset, CancellationToken cancellationToken = default);

    /// <summary>Ends run <paramref name="runId"/> of node <paramref name="nodeId"/> (the node stops): its record is removed if it still holds the
    /// node id, so the node's next start need not wait for its liveness to lapse.</summary>
    /// <returns>Whether the record was removed.</returns>
    Task<bool> EndNodeRunAsync(string nodeId, Guid runId, CancellationToken cancellationToken = default);

    /// <summary>The database server's current time (UTC), the one clock the nodes of a cluster align to (<see cref="Runtime.SchedulerClock"/>);
    /// <see langword="null"/> for a store without a clock of its own (in-memory, or an embedded database on the node's own host).</summary>
    Task<DateTimeOffset?> GetDatabaseTimeAsync(CancellationToken cancellationToken = default);
}
