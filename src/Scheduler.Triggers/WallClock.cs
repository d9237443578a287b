using NodaTime;

namespace Scheduler.Triggers;

/// <summary>Maps wall-clock times of a zone to instants under Scheduler's DST policy (see docs/triggers.md), with NodaTime's tz database.</summary>
/// <remarks>
/// The policy, the one Cronos applies to cron expressions: a wall-clock time inside a spring-forward gap runs at the first valid
/// instant after the gap (02:30 in New York's 02:00–03:00 gap runs at 03:00 EDT); a wall-clock time inside a fall-back overlap maps to
/// its first (earlier) instant, so a fixed-time schedule fires once. Interval schedules fire in both offsets of an overlap; the
/// triggers ask <see cref="Resolve"/> for both instants to do that. Gaps and overlaps come from <see cref="DateTimeZone.MapLocal"/>,
/// which also gets zones with a negative DST (Europe/Dublin) and skipped days (Pacific/Apia, 2011-12-30) right; the policy is ours,
/// not NodaTime's lenient resolver (which would shift 02:30 to 03:30).
/// </remarks>
public static class WallClock
{
    /// <summary>The UTC instant (offset zero) of wall-clock time <paramref name="local"/> in <paramref name="zone"/> (its
    /// <see cref="DateTime.Kind"/> is ignored): the earlier instant in an overlap, the first valid instant after a gap.</summary>
    public static DateTimeOffset ToInstant(DateTime local, DateTimeZone zone) => Resolve(local, zone).Earlier;

    /// <summary>The wall-clock time of <paramref name="instant"/> in <paramref name="zone"/>, with <see cref="DateTimeKind.Unspecified"/>.</summary>
    public static DateTime ToLocal(DateTimeOffset instant, DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return Instant.FromDateTimeOffset(instant).InZone(zone).LocalDateTime.ToDateTimeUnspecified();
    }

    /// <summary><paramref name="instant"/> with the offset <paramref name="zone"/> has at that instant (for display: same instant).</summary>
    public static DateTimeOffset InZone(DateTimeOffset instant, DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return Instant.FromDateTimeOffset(instant).InZone(zone).ToDateTimeOffset();
    }

    /// <summary>The offset from UTC that <paramref name="zone"/> has at <paramref name="instant"/>.</summary>
    public static TimeSpan OffsetAt(DateTimeOffset instant, DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return zone.GetUtcOffset(Instant.FromDateTimeOffset(instant)).ToTimeSpan();
    }

    /// <summary>
    /// The instants that wall-clock time <paramref name="local"/> has in <paramref name="zone"/>: one (both properties equal), two in a
    /// fall-back overlap, or, in a gap, the first valid instant after it (both properties equal, <see cref="WallClockMapping.InGap"/> set).
    /// </summary>
    public static WallClockMapping Resolve(DateTime local, DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var mapping = zone.MapLocal(LocalDateTime.FromDateTime(DateTime.SpecifyKind(local, DateTimeKind.Unspecified)));
        switch (mapping.Count)
        {
            case 0:
                var after = mapping.LateInterval.Start.ToDateTimeOffset();
                return new WallClockMapping(after, after, InGap: true);
            case 1:
                var only = mapping.Single().ToInstant().ToDateTimeOffset();
                return new WallClockMapping(only, only, InGap: false);
            default:
                return new WallClockMapping(mapping.First().ToInstant().ToDateTimeOffset(), mapping.Last().ToInstant().ToDateTimeOffset(), InGap: false);
        }
    }
}
