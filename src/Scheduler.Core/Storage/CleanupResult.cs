namespace Scheduler.Core.Storage;

/// <summary>Result of <see cref="ICleanupStore.CleanupAsync"/>.</summary>
/// <param name="Instances">Instances deleted.</param>
/// <param name="Definitions">Definitions deleted.</param>
public sealed record CleanupResult(int Instances, int Definitions);
