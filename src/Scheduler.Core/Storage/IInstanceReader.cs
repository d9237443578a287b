using Scheduler.Core.Definitions;

namespace Scheduler.Core.Storage;

/// <summary>Task instances read by id, in one round trip: what the runner and the saga read to decide on fresh rows.</summary>
/// <remarks>One of the ports of <see cref="ITaskStore"/>, which a store implements whole.</remarks>
public interface IInstanceReader
{
    /// <summary>The instances with the given ids that exist, in no particular order (one round trip, for the saga's batched loads).</summary>
    Task<IReadOnlyList<TaskInstance>> GetInstancesByIdAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken = default);
}
