namespace Scheduler.Core.Triggers;

/// <summary>Maps wall-clock times of a zone to instants under Scheduler's DST policy.</summary>
/// <remarks>
/// The policy (the one Cronos applies to cron expressions): a wall-clock time inside a spring-forward gap maps to the same time
/// shifted forward by the gap's length (02:30 in a one-hour gap runs at 03:30, which is also the first valid instant for times on
/// the hour); a wall-clock time inside a fall-back overlap maps to its first (earlier, daylight) instant, so it fires once.
/// </remarks>
public static class WallClock
{
    /// <summary>The UTC instant of wall-clock time <paramref name="local"/> in <paramref name="zone"/> (its <see cref="DateTime.Kind"/> is ignored).</summary>
    public static DateTimeOffset ToInstant(DateTime local, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(unspecified))
        {
            // Inside a gap: the offset before the gap applies, which shifts the time forward by the gap's length.
            var before = zone.GetUtcOffset(unspecified.AddHours(-3));
            return new DateTimeOffset(unspecified - before, TimeSpan.Zero);
        }

        if (zone.IsAmbiguousTime(unspecified))
        {
            var offsets = zone.GetAmbiguousTimeOffsets(unspecified);
            var first = offsets.Max(); // the earlier instant has the larger offset
            return new DateTimeOffset(unspecified - first, TimeSpan.Zero);
        }

        return new DateTimeOffset(unspecified - zone.GetUtcOffset(unspecified), TimeSpan.Zero);
    }
}
