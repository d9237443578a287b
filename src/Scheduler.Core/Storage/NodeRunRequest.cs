namespace Scheduler.Core.Storage;

/// <summary>
/// A node's start under its <see cref="Runtime.SchedulerOptions.NodeId"/> (<see cref="INodeStore.StartNodeRunAsync"/>): one run of the process,
/// recorded in the store with a liveness time that the run refreshes (<see cref="INodeStore.RefreshNodeRunAsync"/>).
/// </summary>
public sealed record NodeRunRequest
{
    /// <summary>The node's id, the lease owner written on its claims.</summary>
    public required string NodeId { get; init; }

    /// <summary>This run's id: new per start of the process (a version 7 GUID).</summary>
    public required Guid RunId { get; init; }

    /// <summary>The current time (UTC), recorded as the run's start and first sign of life.</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>How long a run counts as live after its last sign of life (<see cref="Runtime.SchedulerOptions.NodeLivenessTimeout"/>): a
    /// record of another run refreshed within it blocks the start; an older one is taken over.</summary>
    public required TimeSpan LivenessTimeout { get; init; }

    /// <summary>The release the node runs (its informational version), recorded for operators (<see cref="NodeStatus.Version"/>);
    /// <see langword="null"/> records none.</summary>
    public string? Version { get; init; }
}
