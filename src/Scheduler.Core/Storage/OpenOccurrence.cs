using Scheduler.Core.Definitions;

namespace Scheduler.Core.Storage;

/// <summary>An instance that is not final, as the overlap policy sees it.</summary>
/// <param name="DefinitionId">Its definition.</param>
/// <param name="InstanceId">The instance.</param>
/// <param name="FireTime">Its fire time.</param>
/// <param name="Begun">Whether an attempt of it was handed out (<see cref="TaskInstance.HasBegun"/>): it runs, or waits for a retry.</param>
public sealed record OpenOccurrence(Guid DefinitionId, Guid InstanceId, DateTimeOffset FireTime, bool Begun);
