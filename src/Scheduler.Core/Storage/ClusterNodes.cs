namespace Scheduler.Core.Storage;

/// <summary>The nodes of a <see cref="ClusterView"/>, one rule for every store: each recorded run with the claims its node id holds, and each
/// node id that holds claims without a run recorded, by node id.</summary>
internal static class ClusterNodes
{
    /// <summary>Merges the recorded <paramref name="runs"/> with the <paramref name="claims"/> held per node id (lease owner, count, latest
    /// lease end); a run is live when seen within <see cref="ClusterViewRequest.NodeLivenessTimeout"/> before <see cref="ClusterViewRequest.Now"/>.</summary>
    public static List<NodeStatus> Merge(IEnumerable<NodeRunRecord> runs, IEnumerable<(string NodeId, int Held, DateTimeOffset? LeaseExpiresAt)> claims,
        ClusterViewRequest request)
    {
        var held = claims.ToDictionary(c => c.NodeId, StringComparer.Ordinal);
        var nodes = runs.Select(run =>
        {
            var (_, count, lease) = held.Remove(run.NodeId, out var c) ? c : (run.NodeId, 0, null);
            return new NodeStatus(run.NodeId, count, lease)
            {
                StartedAt = run.StartedAt, SeenAt = run.SeenAt, Version = run.Version, ClockOffsetMs = run.ClockOffsetMs,
                Live = run.SeenAt > request.Now - request.NodeLivenessTimeout,
            };
        }).ToList();
        nodes.AddRange(held.Values.Select(c => new NodeStatus(c.NodeId, c.Held, c.LeaseExpiresAt)));
        nodes.Sort((a, b) => string.CompareOrdinal(a.NodeId, b.NodeId));
        return nodes;
    }
}
