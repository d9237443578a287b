namespace Scheduler.Core.Storage;

/// <summary>What the cleanup loop needs: final task instances and finished task definitions deleted after their retention.</summary>
/// <remarks>One of the ports of <see cref="ITaskStore"/>, which a store implements whole.</remarks>
public interface ICleanupStore
{
    /// <summary>Deletes final instances finished before <see cref="CleanupRequest.FinishedBefore"/> and definitions that will not fire again and have no instance left.</summary>
    Task<CleanupResult> CleanupAsync(CleanupRequest request, CancellationToken cancellationToken = default);
}
