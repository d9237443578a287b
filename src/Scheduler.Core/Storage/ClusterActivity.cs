using Scheduler.Contracts;
using Scheduler.Core.Definitions;

namespace Scheduler.Core.Storage;

/// <summary>
/// How the activity of a <see cref="ClusterView"/> is derived from task instances, written once: stores aggregate instances into
/// <see cref="ActivityRow"/>s (the EF Core store in SQL, the in-memory store with <see cref="Rows"/>) and <see cref="Fold"/> turns the rows
/// into buckets.
/// </summary>
public static class ClusterActivity
{
    /// <summary>The number of buckets of <paramref name="request"/>: from <see cref="ClusterViewRequest.ActivitySince"/> to
    /// <see cref="ClusterViewRequest.Now"/>, the last one partial; at least 1.</summary>
    /// <exception cref="ArgumentException">The bucket size is not a whole number of seconds of at least 1 s, or the activity starts after now.</exception>
    public static int BucketCount(ClusterViewRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.BucketSize < TimeSpan.FromSeconds(1) || request.BucketSize.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            throw new ArgumentException($"BucketSize {request.BucketSize} is not a whole number of seconds of at least 1 s.", nameof(request));
        }

        if (request.ActivitySince > request.Now)
        {
            throw new ArgumentException($"ActivitySince {request.ActivitySince:O} is after Now {request.Now:O}.", nameof(request));
        }

        var span = (request.Now - request.ActivitySince).Ticks;
        return (int)Math.Max(1, (span + request.BucketSize.Ticks - 1) / request.BucketSize.Ticks);
    }

    /// <summary>The rows the store's query returns for <paramref name="instances"/>: what the EF Core store computes in SQL, for the in-memory store.</summary>
    public static IEnumerable<ActivityRow> Rows(IEnumerable<TaskInstance> instances, ClusterViewRequest request)
    {
        ArgumentNullException.ThrowIfNull(instances);
        ArgumentNullException.ThrowIfNull(request);
        bool InRange(DateTimeOffset? t) => t >= request.ActivitySince && t < request.Now;
        long Bucket(DateTimeOffset t) => (t - request.ActivitySince).Ticks / request.BucketSize.Ticks;
        foreach (var i in instances)
        {
            if (InRange(i.CompletedAt))
            {
                yield return new ActivityRow(ActivityRowKind.Completed, Bucket(i.CompletedAt!.Value), 1, 0, 0);
            }

            if (i.Status == TaskInstanceState.Failed && InRange(i.FailedAt))
            {
                yield return new ActivityRow(ActivityRowKind.Failed, Bucket(i.FailedAt!.Value), 1, 0, 0);
            }

            var due = i.FireTime + i.Jitter; // an occurrence comes due at its fire time plus its jitter; lateness counts from then
            if (i.Attempt == 1 && InRange(i.DispatchedAt))
            {
                var lateness = (i.DispatchedAt!.Value - due).TotalMilliseconds;
                yield return new ActivityRow(ActivityRowKind.Dispatched, Bucket(i.DispatchedAt.Value), 1, lateness, lateness);
            }

            if (i.Attempt > 1)
            {
                continue;
            }

            var left = i.DispatchedAt ?? i.FinishedAt;
            if (InRange(due))
            {
                yield return new ActivityRow(ActivityRowKind.Arrived, Bucket(due), 1, 0, 0);
            }

            if (left is { } l && InRange(l > due ? l : due))
            {
                yield return new ActivityRow(ActivityRowKind.Left, Bucket(l > due ? l : due), 1, 0, 0);
            }

            if (due < request.ActivitySince && (left is null || left >= request.ActivitySince))
            {
                yield return new ActivityRow(ActivityRowKind.WaitingAtStart, -1, 1, 0, 0);
            }
        }
    }

    /// <summary>Sums <paramref name="rows"/> (several rows of one kind and bucket add up; a bucket outside the range is ignored) into
    /// <see cref="BucketCount"/> buckets, oldest first; the backlog of each bucket is the backlog at the start plus the first attempts
    /// whose fire time passed, minus those that left, up to the bucket's end.</summary>
    public static IReadOnlyList<ActivityBucket> Fold(IEnumerable<ActivityRow> rows, ClusterViewRequest request)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var count = BucketCount(request);
        var sums = new (long Completed, long Failed, long Dispatched, double TotalMs, double? MaxMs, long Arrived, long Left)[count];
        long backlog = 0;
        foreach (var row in rows)
        {
            if (row.Kind == ActivityRowKind.WaitingAtStart)
            {
                backlog += row.Count;
                continue;
            }

            if (row.Bucket < 0 || row.Bucket >= count)
            {
                continue;
            }

            ref var s = ref sums[row.Bucket];
            switch (row.Kind)
            {
                case ActivityRowKind.Completed: s.Completed += row.Count; break;
                case ActivityRowKind.Failed: s.Failed += row.Count; break;
                case ActivityRowKind.Dispatched:
                    s.Dispatched += row.Count;
                    s.TotalMs += row.TotalMs;
                    s.MaxMs = Math.Max(s.MaxMs ?? double.MinValue, row.MaxMs);
                    break;
                case ActivityRowKind.Arrived: s.Arrived += row.Count; break;
                case ActivityRowKind.Left: s.Left += row.Count; break;
            }
        }

        var buckets = new ActivityBucket[count];
        for (var k = 0; k < count; k++)
        {
            var s = sums[k];
            backlog += s.Arrived - s.Left;
            buckets[k] = new ActivityBucket(request.ActivitySince + (request.BucketSize * k), (int)s.Completed, (int)s.Failed, (int)s.Dispatched,
                s.Dispatched > 0 ? s.TotalMs / s.Dispatched : null, s.MaxMs, (int)Math.Max(0, backlog));
        }

        return buckets;
    }
}
