using Scheduler.Core.Definitions;

namespace Scheduler.Core.Storage;

/// <summary>What an edit makes of a definition: the definition to store, and what becomes of its occurrences not yet begun.</summary>
/// <param name="Updated">The definition to store (a changed copy of the one read).</param>
/// <param name="TakeBack">What becomes of the occurrences not yet begun.</param>
public sealed record DefinitionEdit(TaskDefinition Updated, TakeBack TakeBack);
