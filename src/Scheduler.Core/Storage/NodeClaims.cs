namespace Scheduler.Core.Storage;

/// <summary>One scheduler node seen in the task instances table: the lease owner of <paramref name="Held"/> Claimed instances.</summary>
/// <param name="NodeId">The node's id (<c>SchedulerOptions.NodeId</c>).</param>
/// <param name="Held">How many instances it holds claimed (to dispatch at their due time).</param>
/// <param name="LeaseExpiresAt">The latest end of its leases (UTC): a node that stopped renewing is past it.</param>
public sealed record NodeClaims(string NodeId, int Held, DateTimeOffset? LeaseExpiresAt);
