namespace Scheduler.Core.Storage;

/// <summary>What <see cref="INodeStore.StartNodeRunAsync"/> did.</summary>
/// <param name="Started">Whether the run now holds the node id; <see langword="false"/> when another run of it is live (and nothing was written).</param>
/// <param name="ClaimsTakenBack">How many claims of the node's earlier runs were ended (made claimable at once, <see cref="TaskInstanceLifecycle.EndEarlierRunClaim"/>).</param>
/// <param name="HolderRunId">When not <see cref="Started"/>: the run that holds the node id.</param>
/// <param name="HolderSeenAt">When not <see cref="Started"/>: that run's last sign of life (UTC).</param>
public sealed record NodeRunStart(bool Started, int ClaimsTakenBack, Guid? HolderRunId = null, DateTimeOffset? HolderSeenAt = null);
