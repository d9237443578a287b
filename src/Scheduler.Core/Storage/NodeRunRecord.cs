namespace Scheduler.Core.Storage;

/// <summary>A node id's run as a store records it (<see cref="INodeStore.StartNodeRunAsync"/>, <see cref="INodeStore.RefreshNodeRunAsync"/>).</summary>
/// <param name="NodeId">The node id.</param>
/// <param name="RunId">The run that holds it.</param>
/// <param name="StartedAt">When the run started (UTC).</param>
/// <param name="SeenAt">Its last sign of life (UTC).</param>
/// <param name="Version">The release it runs, if recorded.</param>
/// <param name="ClockOffsetMs">Its clock's offset from the database's (ms), if measured.</param>
internal sealed record NodeRunRecord(string NodeId, Guid RunId, DateTimeOffset StartedAt, DateTimeOffset SeenAt, string? Version, double? ClockOffsetMs);
