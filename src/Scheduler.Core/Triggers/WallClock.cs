namespace Scheduler.Core.Triggers;

/// <summary>Maps wall-clock times of a zone to instants under Scheduler's DST policy (see docs/triggers.md).</summary>
/// <remarks>
/// <para>The policy, the one Cronos applies to cron expressions: a wall-clock time inside a spring-forward gap runs at the first valid
/// instant after the gap (02:30 in New York's 02:00–03:00 gap runs at 03:00 EDT); a wall-clock time inside a fall-back overlap maps to
/// its first (earlier) instant, so a fixed-time schedule fires once. Interval schedules fire in both offsets of an overlap; the
/// triggers ask <see cref="Resolve"/> for both instants to do that.</para>
/// <para>The runtime's <see cref="TimeZoneInfo.IsInvalidTime"/>, <see cref="TimeZoneInfo.IsAmbiguousTime(DateTime)"/> and
/// <see cref="TimeZoneInfo.GetUtcOffset(DateTime)"/> for a wall-clock time are wrong on Linux for some zones (Europe/Dublin, whose
/// tzdata defines a negative DST, reports neither its gap nor its overlap; Pacific/Apia reports the skipped day 2011-12-30 as valid).
/// This class therefore only uses the offset of UTC instants (<see cref="TimeZoneInfo.GetUtcOffset(DateTimeOffset)"/>), which is right,
/// and works the gaps and overlaps out from that.</para>
/// </remarks>
public static class WallClock
{
    private static readonly TimeSpan Window = TimeSpan.FromHours(14);

    /// <summary>The UTC instant (offset zero) of wall-clock time <paramref name="local"/> in <paramref name="zone"/> (its
    /// <see cref="DateTime.Kind"/> is ignored): the earlier instant in an overlap, the first valid instant after a gap.</summary>
    public static DateTimeOffset ToInstant(DateTime local, TimeZoneInfo zone) => Resolve(local, zone).Earlier;

    /// <summary>The wall-clock time of <paramref name="instant"/> in <paramref name="zone"/>, with <see cref="DateTimeKind.Unspecified"/>.</summary>
    public static DateTime ToLocal(DateTimeOffset instant, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var utc = instant.UtcDateTime;
        return DateTime.SpecifyKind(utc + zone.GetUtcOffset(instant), DateTimeKind.Unspecified);
    }

    /// <summary>
    /// The instants that wall-clock time <paramref name="local"/> has in <paramref name="zone"/>: one (both properties equal), two in a
    /// fall-back overlap, or, in a gap, the first valid instant after it (both properties equal, <see cref="WallClockMapping.InGap"/> set).
    /// </summary>
    public static WallClockMapping Resolve(DateTime local, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var asUtc = new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified).Ticks, TimeSpan.Zero);
        if (zone.BaseUtcOffset == TimeSpan.Zero && !zone.SupportsDaylightSavingTime)
        {
            return new WallClockMapping(asUtc, asUtc, InGap: false);
        }

        // Offsets in effect around the wall-clock time; every instant it can denote lies within 14 hours of it read as UTC.
        var o1 = OffsetAt(zone, asUtc - Window);
        var o2 = OffsetAt(zone, asUtc);
        var o3 = OffsetAt(zone, asUtc + Window);
        DateTimeOffset? earlier = null;
        DateTimeOffset? later = null;
        foreach (var offset in new[] { o1, o2, o3 })
        {
            var candidate = asUtc - offset;
            if (OffsetAt(zone, candidate) != offset)
            {
                continue;
            }

            earlier = earlier is null || candidate < earlier ? candidate : earlier;
            later = later is null || candidate > later ? candidate : later;
        }

        if (earlier is { } e && later is { } l)
        {
            return new WallClockMapping(e, l, InGap: false);
        }

        var transition = FirstInstantReadingAfter(zone, local, asUtc - Max(o1, o2, o3), asUtc - Min(o1, o2, o3));
        return new WallClockMapping(transition, transition, InGap: true);
    }

    private static TimeSpan OffsetAt(TimeZoneInfo zone, DateTimeOffset instant) =>
        instant.UtcDateTime.Ticks is var t && (t < TimeSpan.TicksPerDay * 2 || t > DateTime.MaxValue.Ticks - (TimeSpan.TicksPerDay * 2))
            ? zone.BaseUtcOffset
            : zone.GetUtcOffset(instant);

    // In a gap the local reading of instants jumps over `local`: find, to the second, the first instant whose reading is after it.
    private static DateTimeOffset FirstInstantReadingAfter(TimeZoneInfo zone, DateTime local, DateTimeOffset low, DateTimeOffset high)
    {
        var target = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        var lo = low.UtcTicks / TimeSpan.TicksPerSecond;
        var hi = (high.UtcTicks + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) / 2);
            var instant = new DateTimeOffset(mid * TimeSpan.TicksPerSecond, TimeSpan.Zero);
            if (ToLocal(instant, zone) > target)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return new DateTimeOffset(lo * TimeSpan.TicksPerSecond, TimeSpan.Zero);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b, TimeSpan c) => a > b ? (a > c ? a : c) : (b > c ? b : c);

    private static TimeSpan Min(TimeSpan a, TimeSpan b, TimeSpan c) => a < b ? (a < c ? a : c) : (b < c ? b : c);
}

/// <summary>The instants of one wall-clock time in a zone; see <see cref="WallClock.Resolve"/>. Both instants are UTC (offset zero).</summary>
/// <param name="Earlier">The earlier instant (the only one outside overlaps; in a gap, the first valid instant after it).</param>
/// <param name="Later">The later instant: differs from <paramref name="Earlier"/> only in a fall-back overlap.</param>
/// <param name="InGap">Whether the wall-clock time does not exist (spring-forward gap or skipped day).</param>
public readonly record struct WallClockMapping(DateTimeOffset Earlier, DateTimeOffset Later, bool InGap);
