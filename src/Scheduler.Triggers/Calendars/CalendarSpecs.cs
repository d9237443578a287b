namespace Scheduler.Triggers.Calendars;

/// <summary>Comparisons of <see cref="CalendarSpec"/>s by content (their lists compare by element, not by reference).</summary>
public static class CalendarSpecs
{
    /// <summary>Whether <paramref name="a"/> and <paramref name="b"/> exclude the same, written the same.</summary>
    public static bool Equal(CalendarSpec a, CalendarSpec b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return string.Equals(a.Description, b.Description, StringComparison.Ordinal) && string.Equals(a.TimeZone, b.TimeZone, StringComparison.Ordinal)
            && a.Dates.SequenceEqual(b.Dates, StringComparer.Ordinal) && a.Cron.SequenceEqual(b.Cron, StringComparer.Ordinal)
            && a.RRules.SequenceEqual(b.RRules, StringComparer.Ordinal) && string.Equals(a.ICalendar, b.ICalendar, StringComparison.Ordinal);
    }
}
