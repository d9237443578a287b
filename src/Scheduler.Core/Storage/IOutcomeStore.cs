namespace Scheduler.Core.Storage;

/// <summary>What the task instance saga needs: the workers' reports applied as fenced transitions.</summary>
/// <remarks>One of the ports of <see cref="ITaskStore"/>, which a store implements whole.</remarks>
public interface IOutcomeStore : IInstanceReader
{
    /// <summary>
    /// Applies the task instance saga's decisions, each as one transition fenced by <see cref="TaskInstanceLifecycle.Accepts"/> on the row as it
    /// is now (<see cref="TaskInstanceLifecycle.Apply"/>), all in one transaction.
    /// </summary>
    /// <returns>For each outcome, in order, whether it was applied; <see langword="false"/> means the row changed since the saga read it (or is gone),
    /// so the saga decides again on fresh state.</returns>
    Task<IReadOnlyList<bool>> ApplyOutcomesAsync(IReadOnlyList<InstanceOutcome> outcomes, CancellationToken cancellationToken = default);
}
