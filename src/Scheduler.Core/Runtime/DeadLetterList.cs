namespace Scheduler.Core.Runtime;

/// <summary>A page of dead letters (<see cref="SchedulingService.ListDeadLettersAsync"/>), newest failure first.</summary>
/// <param name="DeadLetters">The dead letters of this page.</param>
/// <param name="NextPageToken">Pass as the page token for the next page; <see langword="null"/> on the last page.</param>
public sealed record DeadLetterList(IReadOnlyList<DeadLetter> DeadLetters, string? NextPageToken);
