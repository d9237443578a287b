using Scheduler.Core.Definitions;

namespace Scheduler.Core.Storage;

/// <summary>Result of <see cref="IDefinitionStore.AddDefinitionsAsync"/> for one definition.</summary>
/// <param name="Definition">The stored definition: the new one, or the one that existed.</param>
/// <param name="AlreadyExisted">Whether a definition with the same id or idempotency key existed, so nothing was written.</param>
public sealed record AddDefinitionResult(TaskDefinition Definition, bool AlreadyExisted);
