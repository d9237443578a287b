using Scheduler.Core.Definitions;

namespace Scheduler.Core.Storage;

/// <summary>What the scheduler loop wants done with one due definition.</summary>
/// <param name="Instances">The instances to insert, one per occurrence.</param>
/// <param name="NextFireTime">The definition's new next fire time (UTC), or <see langword="null"/> when it never fires again.</param>
public sealed record MaterializePlan(IReadOnlyList<TaskInstance> Instances, DateTimeOffset? NextFireTime);
