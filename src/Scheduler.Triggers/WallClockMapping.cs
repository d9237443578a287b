namespace Scheduler.Triggers;

/// <summary>The instants of one wall-clock time in a zone; see <see cref="WallClock.Resolve"/>. Both instants are UTC (offset zero).</summary>
/// <param name="Earlier">The earlier instant (the only one outside overlaps; in a gap, the first valid instant after it).</param>
/// <param name="Later">The later instant: differs from <paramref name="Earlier"/> only in a fall-back overlap.</param>
/// <param name="InGap">Whether the wall-clock time does not exist (spring-forward gap or skipped day).</param>
public readonly record struct WallClockMapping(DateTimeOffset Earlier, DateTimeOffset Later, bool InGap);
