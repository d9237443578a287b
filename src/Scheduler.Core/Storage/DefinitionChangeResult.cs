using Scheduler.Core.Definitions;

namespace Scheduler.Core.Storage;

/// <summary>Result of <see cref="IDefinitionStore.ChangeDefinitionAsync"/>.</summary>
/// <param name="Definition">The definition after the call; <see langword="null"/> when none has the id.</param>
/// <param name="Changed">Whether it was changed.</param>
public sealed record DefinitionChangeResult(TaskDefinition? Definition, bool Changed);
