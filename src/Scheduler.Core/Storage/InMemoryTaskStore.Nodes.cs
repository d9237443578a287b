namespace Scheduler.Core.Storage;

/// <summary>The <see cref="INodeStore"/> port of the in-memory store.</summary>
public sealed partial class InMemoryTaskStore
{
    /// <inheritdoc />
    public Task<ClusterIdentity> JoinClusterAsync(string clusterName, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterName);
        lock (_lock)
        {
            return Task.FromResult(_identity ??= new ClusterIdentity(clusterName, Guid.NewGuid()));
        }
    }

    /// <inheritdoc />
    public Task<bool> LeaveClusterAsync(ClusterIdentity identity, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var left = _identity == identity && _definitions.Count == 0;
            if (left)
            {
                _identity = null;
            }

            return Task.FromResult(left);
        }
    }

    /// <inheritdoc />
    public Task<NodeRunStart> StartNodeRunAsync(NodeRunRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_lock)
        {
            if (_nodeRuns.TryGetValue(request.NodeId, out var holder) && holder.RunId != request.RunId
                && holder.SeenAt > request.Now - request.LivenessTimeout)
            {
                return Task.FromResult(new NodeRunStart(false, 0, holder.RunId, holder.SeenAt));
            }

            _nodeRuns[request.NodeId] = new NodeRunRecord(request.NodeId, request.RunId, request.Now, request.Now, request.Version, null);
            var taken = 0;
            foreach (var instance in _instances.Values.Where(i => TaskInstanceLifecycle.IsClaimOfEarlierRun(i, request.NodeId, request.Now)))
            {
                TaskInstanceLifecycle.EndEarlierRunClaim(instance, request.Now);
                taken++;
            }

            return Task.FromResult(new NodeRunStart(true, taken));
        }
    }

    /// <inheritdoc />
    public Task<bool> RefreshNodeRunAsync(string nodeId, Guid runId, DateTimeOffset now, TimeSpan? clockOffset, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var holds = _nodeRuns.TryGetValue(nodeId, out var holder) && holder.RunId == runId;
            if (holds)
            {
                _nodeRuns[nodeId] = holder! with { SeenAt = now, ClockOffsetMs = clockOffset?.TotalMilliseconds };
            }

            return Task.FromResult(holds);
        }
    }

    /// <inheritdoc />
    public Task<bool> EndNodeRunAsync(string nodeId, Guid runId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_nodeRuns.TryGetValue(nodeId, out var holder) && holder.RunId == runId && _nodeRuns.Remove(nodeId));
        }
    }

    /// <inheritdoc />
    /// <remarks>In process: no clock of its own.</remarks>
    public Task<DateTimeOffset?> GetDatabaseTimeAsync(CancellationToken cancellationToken = default) => Task.FromResult<DateTimeOffset?>(null);
}
