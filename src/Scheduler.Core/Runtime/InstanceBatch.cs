namespace Scheduler.Core.Runtime;

/// <summary>What an operator's action over the instances matching a filter did (<see cref="SchedulingService.DeleteInstancesAsync"/>,
/// <see cref="SchedulingService.RetryInstancesNowAsync"/>): at most one page of matching instances is acted on per call.</summary>
/// <param name="Affected">The instances deleted, or made due now, in the order of the page (latest fire time first).</param>
/// <param name="LeftAlone">How many matching instances of the page were left as they were: not in a state the action applies to (e.g. an
/// instance's first attempt, not a retry), or changed meanwhile.</param>
/// <param name="NextPageToken">Pass it back, with the same filter, to act on the next page; <see langword="null"/> when no more match.</param>
public sealed record InstanceBatch(IReadOnlyList<Guid> Affected, int LeftAlone, string? NextPageToken);
