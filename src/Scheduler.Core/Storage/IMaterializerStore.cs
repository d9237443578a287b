namespace Scheduler.Core.Storage;

/// <summary>What the scheduler loop needs: due task definitions turned into task instances, one transaction per batch.</summary>
/// <remarks>One of the ports of <see cref="ITaskStore"/>, which a store implements whole.</remarks>
public interface IMaterializerStore
{
    /// <summary>
    /// In one transaction per batch: takes up to <see cref="MaterializeRequest.MaxDefinitions"/> live definitions whose next fire time is at or before
    /// <see cref="MaterializeRequest.Horizon"/> and that no other node is materializing, asks <see cref="MaterializeRequest.Plan"/> for each,
    /// inserts the planned instances (skipping any whose (definition, fire time) exists) and sets the planned next fire time.
    /// </summary>
    /// <returns>How many definitions were advanced and instances inserted.</returns>
    Task<MaterializeResult> MaterializeDueDefinitionsAsync(MaterializeRequest request, CancellationToken cancellationToken = default);
}
