using NodaTime;

namespace Scheduler.Triggers;

/// <summary>
/// Turns a schedule of wall-clock times (evaluated by Cronos or Ical.Net as floating times, without a zone) into UTC fire times in a zone
/// under Scheduler's DST policy (<see cref="WallClock"/>): a time in a gap fires at the first valid instant after it; a time in an
/// overlap fires once at its earlier instant, or, for an interval schedule, at both instants.
/// </summary>
/// <param name="zone">The zone the wall-clock times are read in.</param>
/// <param name="isInterval">Whether the schedule is an interval schedule (fires in both offsets of an overlap).</param>
/// <param name="localTimesAfter">The schedule's wall-clock times strictly after the given one, ascending (<see cref="DateTimeKind.Unspecified"/>).</param>
internal sealed class ZonedSchedule(DateTimeZone zone, bool isInterval, Func<DateTime, IEnumerable<DateTime>> localTimesAfter)
{
    private const int MaxCandidates = 1_000_000;

    public DateTimeZone Zone { get; } = zone;

    public bool IsInterval { get; } = isInterval;

    // Wall-clock times beyond this cannot map to an instant at or before TriggerInstants.Max (offsets are at most 14 hours).
    private static readonly DateTime LastLocal = DateTime.SpecifyKind(TriggerInstants.Max.UtcDateTime.AddDays(1), DateTimeKind.Unspecified);

    /// <summary>The first fire time strictly after <paramref name="after"/> (UTC), or null; never one after <see cref="TriggerInstants.Max"/>.</summary>
    public DateTimeOffset? Next(DateTimeOffset after)
    {
        after = after.ToUniversalTime();
        if (after >= TriggerInstants.Max)
        {
            return null;
        }

        // Every fire time after `after` comes from a wall-clock time at or after `after` plus the smallest offset in effect from then on
        // (offsets differ by at most 26 hours, so sampling the next 26 hours hourly bounds it); the largest offset bounds when to stop.
        var clamped = Clamp(after);
        var minOffset = TimeSpan.MaxValue;
        var maxOffset = TimeSpan.MinValue;
        for (var hour = -1; hour <= 26; hour++)
        {
            var offset = WallClock.OffsetAt(clamped.AddHours(hour), Zone);
            minOffset = offset < minOffset ? offset : minOffset;
            maxOffset = offset > maxOffset ? offset : maxOffset;
        }

        var start = DateTime.SpecifyKind(clamped.UtcDateTime + minOffset, DateTimeKind.Unspecified).AddTicks(-1);
        DateTimeOffset? best = null;
        var seen = 0;
        foreach (var local in localTimesAfter(start))
        {
            if (local > LastLocal)
            {
                break;
            }

            var mapping = WallClock.Resolve(local, Zone);
            best = Earliest(best, mapping.Earlier, after);
            if (IsInterval && !mapping.InGap)
            {
                best = Earliest(best, mapping.Later, after);
            }

            // A later wall-clock time maps to an instant no earlier than itself minus the largest offset.
            if ((best is { } b && new DateTimeOffset(local.Ticks, TimeSpan.Zero) - maxOffset >= b) || ++seen >= MaxCandidates)
            {
                break;
            }
        }

        return best <= TriggerInstants.Max ? best : null;
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? best, DateTimeOffset candidate, DateTimeOffset after) =>
        candidate > after && (best is null || candidate < best) ? candidate : best;

    private static DateTimeOffset Clamp(DateTimeOffset value) =>
        value.UtcTicks < TimeSpan.TicksPerDay * 2 ? new DateTimeOffset(TimeSpan.TicksPerDay * 2, TimeSpan.Zero)
        : value.UtcTicks > DateTime.MaxValue.Ticks - (TimeSpan.TicksPerDay * 2) ? new DateTimeOffset(DateTime.MaxValue.Ticks - (TimeSpan.TicksPerDay * 2), TimeSpan.Zero)
        : value;
}
