using Scheduler.Contracts;
using Scheduler.Core.Definitions;

using static Scheduler.Core.Storage.SqlValues;
using State = Scheduler.Contracts.TaskInstanceState;

namespace Scheduler.Core.Storage;

/// <summary>The transition of a node's start: the claims of its earlier run ended (<c>EfTaskStore.Nodes.cs</c> runs the SQL).</summary>
public static partial class TaskInstanceLifecycle
{
    /// <summary>The fence of <see cref="EndEarlierRunClaim"/>: Claimed by <paramref name="owner"/> with a lease still running at
    /// <paramref name="now"/>, found when a run of node <paramref name="owner"/> starts, so made by an earlier run of it.</summary>
    public static bool IsClaimOfEarlierRun(TaskInstance instance, string owner, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return instance.Status == TaskInstanceState.Claimed && instance.LeaseOwner == owner && instance.LeaseExpiresAt > now;
    }

    /// <summary>
    /// Claimed → Claimed with the lease ended at <paramref name="now"/>: the claim of an earlier run of a node that starts again under the same
    /// node id. That run is over (<see cref="INodeStore.StartNodeRunAsync"/> checked it shows no sign of life), so the claim is a lapsed claim
    /// from now on (<see cref="HasLapsedClaim"/>): claimed at once by any node, with the attempt number it reserved, as after its lease.
    /// </summary>
    public static void EndEarlierRunClaim(TaskInstance instance, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(instance);
        instance.LeaseExpiresAt = now;
        instance.Version++;
    }

    /// <summary>SQL of <see cref="IsClaimOfEarlierRun"/> → <see cref="EndEarlierRunClaim"/> for every claim of node <c>node</c> (run by
    /// EfTaskStore.Nodes.cs).</summary>
    internal static string EndEarlierRunClaimsSql(string node, string now) =>
        $"UPDATE {TaskInstances} SET lease_expires_at = {now}, version = version + 1 WHERE status = {Of(State.Claimed)} AND lease_owner = {node} AND lease_expires_at > {now}";
}
