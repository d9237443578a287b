namespace Scheduler.Core.Runtime;

/// <summary>A page of the recurring tasks view (<see cref="SchedulingService.ListRecurringAsync"/>), oldest task first.</summary>
/// <param name="Tasks">The recurring tasks of this page.</param>
/// <param name="NextPageToken">Pass as the page token for the next page; <see langword="null"/> on the last page. Pages resume after the
/// previous page's last task (keyset), so none is repeated or skipped while tasks are added.</param>
public sealed record RecurringTaskList(IReadOnlyList<RecurringTask> Tasks, string? NextPageToken);
