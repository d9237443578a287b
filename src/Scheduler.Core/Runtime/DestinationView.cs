namespace Scheduler.Core.Runtime;

/// <summary>One destination queue in the destinations view (<see cref="SchedulingService.ListDestinationsAsync"/>): this node's watch of its
/// consumers (<see cref="DestinationStatus"/>) with what the store holds for it (<see cref="Storage.DestinationLoad"/>).</summary>
/// <param name="Queue">The queue's name.</param>
/// <param name="Consumers">Its consumers at the watch's last check; <see langword="null"/> when this node has not checked it (not yet, the
/// watch is off, or the bus cannot tell).</param>
/// <param name="NoConsumerSince">Since when it has had none (UTC), if it has none.</param>
/// <param name="WithoutConsumer">Whether it has had none for <c>Scheduler:DestinationGrace</c>: its tasks wait.</param>
/// <param name="CheckedAt">When the broker last answered about it (UTC); <see langword="null"/> when this node has not checked it.</param>
/// <param name="Backlog">Task instances waiting: Scheduled or Claimed and due now.</param>
/// <param name="InFlight">Task instances Dispatched and not yet reported finished.</param>
/// <param name="FailuresLast24Hours">Dead letters (Failed task instances) that finished in the last 24 hours.</param>
/// <param name="LastDispatchAt">The latest dispatch (UTC) of any of its task instances still stored; <see langword="null"/> when none.</param>
public sealed record DestinationView(string Queue, int? Consumers, DateTimeOffset? NoConsumerSince, bool WithoutConsumer, DateTimeOffset? CheckedAt,
    int Backlog, int InFlight, int FailuresLast24Hours, DateTimeOffset? LastDispatchAt);
