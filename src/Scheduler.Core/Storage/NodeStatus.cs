namespace Scheduler.Core.Storage;

/// <summary>
/// One scheduler node as the store knows it (<see cref="ClusterView.Nodes"/>): the record of its current run (started, last sign of life,
/// release, clock offset) and the claims it holds. Every node with a run recorded is listed, idle or not; a node that stopped cleanly removed
/// its record and is not; one that stopped ticking (killed, frozen, cut off from the database) stays listed, not <see cref="Live"/>, until
/// another run of its node id takes the record over.
/// </summary>
/// <param name="NodeId">The node's id (<c>SchedulerOptions.NodeId</c>).</param>
/// <param name="Held">How many task instances it holds claimed (to dispatch at their due time); 0 when idle.</param>
/// <param name="LeaseExpiresAt">The latest end of its leases (UTC); <see langword="null"/> when it holds none. A node that stopped renewing is
/// past it.</param>
public sealed record NodeStatus(string NodeId, int Held, DateTimeOffset? LeaseExpiresAt)
{
    /// <summary>When its current run started (UTC); <see langword="null"/> for a node id that holds claims with no run recorded.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>Its run's last sign of life (UTC), recorded every third of <c>SchedulerOptions.NodeLivenessTimeout</c>.</summary>
    public DateTimeOffset? SeenAt { get; init; }

    /// <summary>The release the node runs (Scheduler.Core's informational version, e.g. <c>1.0.0+3f2a…</c>), as recorded at its start.</summary>
    public string? Version { get; init; }

    /// <summary>Its clock's offset from the database's clock, in milliseconds, as last measured: what it adds to its own clock to get the
    /// database's (positive: its clock is behind). <see langword="null"/> when not measured (SQLite and in-memory stores have no clock of
    /// their own).</summary>
    public double? ClockOffsetMs { get; init; }

    /// <summary>Whether its run showed a sign of life within <see cref="ClusterViewRequest.NodeLivenessTimeout"/> before
    /// <see cref="ClusterView.Now"/>; <see langword="false"/> for a node that stopped ticking.</summary>
    public bool Live { get; init; }
}
