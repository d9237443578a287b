namespace Scheduler.Core.Storage;

/// <summary>
/// What the cluster did in one time bucket, derived from the task instances table (so from instances not yet deleted by retention).
/// </summary>
/// <remarks>The table keeps only the latest attempt's dispatch time, so lateness and backlog count first attempts only: an instance that was
/// retried leaves both (its <c>dispatched_at</c> is its last attempt's, its backoff is not lateness).</remarks>
/// <param name="Start">The bucket's start (UTC); it ends where the next one starts.</param>
/// <param name="Completed">Instances whose completion was recorded in the bucket (<c>completed_at</c>).</param>
/// <param name="Failed">Instances dead-lettered in the bucket (<c>failed_at</c>).</param>
/// <param name="Dispatched">First attempts dispatched in the bucket (<c>dispatched_at</c>, attempt 1).</param>
/// <param name="MeanLatenessMs">Mean of <c>dispatched_at − (fire_time + jitter)</c> (from when the occurrence came due) over <paramref name="Dispatched"/>, in milliseconds;
/// <see langword="null"/> when none.</param>
/// <param name="MaxLatenessMs">Largest such lateness, in milliseconds; <see langword="null"/> when none.</param>
/// <param name="Backlog">At the bucket's end (or now, for the last one): first attempts whose fire time had passed and that were neither
/// dispatched nor finished (cancelled, skipped) yet.</param>
public sealed record ActivityBucket(DateTimeOffset Start, int Completed, int Failed, int Dispatched, double? MeanLatenessMs, double? MaxLatenessMs, int Backlog);
