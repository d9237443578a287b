namespace Scheduler.Core.Storage;

/// <summary>Result of <see cref="IMaterializerStore.MaterializeDueDefinitionsAsync"/>.</summary>
/// <param name="Definitions">How many definitions were advanced.</param>
/// <param name="Instances">How many instances were inserted.</param>
/// <param name="EarliestDueAt">The earliest due time among the inserted instances, if any.</param>
public sealed record MaterializeResult(int Definitions, int Instances, DateTimeOffset? EarliestDueAt);
