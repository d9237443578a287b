namespace Scheduler.Core.Runtime;

/// <summary>What a node knows of one destination queue it dispatches to.</summary>
/// <param name="Queue">The queue's name.</param>
/// <param name="Consumers">Its consumers at the last check; <see langword="null"/> before the first.</param>
/// <param name="NoConsumerSince">Since when it has had none (UTC), if it has none.</param>
/// <param name="WithoutConsumer">Whether it has had none for the grace: its tasks wait.</param>
/// <param name="CheckedAt">When the broker last answered about it (UTC).</param>
public sealed record DestinationStatus(string Queue, int? Consumers, DateTimeOffset? NoConsumerSince, bool WithoutConsumer, DateTimeOffset? CheckedAt);
