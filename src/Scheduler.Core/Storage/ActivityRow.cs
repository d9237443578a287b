namespace Scheduler.Core.Storage;

/// <summary>One aggregate of the activity query: <paramref name="Count"/> events of <paramref name="Kind"/> in bucket <paramref name="Bucket"/>.</summary>
/// <param name="Kind">What is counted.</param>
/// <param name="Bucket">The bucket's index from the activity's start (-1 for <see cref="ActivityRowKind.WaitingAtStart"/>).</param>
/// <param name="Count">How many.</param>
/// <param name="TotalMs">For <see cref="ActivityRowKind.Dispatched"/>: the sum of their lateness in milliseconds, else 0.</param>
/// <param name="MaxMs">For <see cref="ActivityRowKind.Dispatched"/>: the largest lateness in milliseconds, else 0.</param>
public readonly record struct ActivityRow(ActivityRowKind Kind, long Bucket, long Count, double TotalMs, double MaxMs);
