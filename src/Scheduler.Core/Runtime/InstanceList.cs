namespace Scheduler.Core.Runtime;

/// <summary>A page of task instances of every task (<see cref="SchedulingService.ListInstancesAsync"/>), latest fire time first.</summary>
/// <param name="Instances">The page.</param>
/// <param name="NextPageToken">Pass it back for the next page; <see langword="null"/> on the last.</param>
public sealed record InstanceList(IReadOnlyList<TaskInstanceEntry> Instances, string? NextPageToken);
