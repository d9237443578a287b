using Scheduler.Core.Definitions;

namespace Scheduler.Core.Storage;

/// <summary>Result of <see cref="IRunnerStore.ClaimDueInstancesAsync"/>.</summary>
/// <param name="Claimed">The instances claimed for this node, earliest due first.</param>
/// <param name="DeadLettered">Dispatched instances whose last allowed attempt expired without an outcome, now
/// <see cref="Contracts.TaskInstanceState.Failed"/>; the runner publishes <c>TaskDeadLettered</c> for each.</param>
public sealed record ClaimResult(IReadOnlyList<ClaimedInstance> Claimed, IReadOnlyList<TaskInstance> DeadLettered)
{
    /// <summary>Nothing claimed, nothing dead-lettered.</summary>
    public static ClaimResult Empty { get; } = new([], []);
}
