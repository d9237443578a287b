using System.Globalization;
using NodaTime;

namespace Scheduler.Triggers.Tests;

/// <summary>Reads fire times of a trigger as ISO-8601 strings with the zone's offset, the form the tables use.</summary>
internal static class Fires
{
    public static DateTimeOffset Instant(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);

    /// <summary>The end a phrase gives, as the phrase table writes it after the normalized form: " ; EndAt=…" and " ; MaxOccurrences=…".</summary>
    public static string EndSuffix(DateTimeOffset? endAt, int? maxOccurrences) =>
        (endAt is { } end ? $" ; EndAt={end.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)}" : "")
        + (maxOccurrences is { } max ? $" ; MaxOccurrences={max}" : "");

    public static string Format(DateTimeOffset instant, DateTimeZone zone) =>
        WallClock.InZone(instant, zone).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>The next <paramref name="count"/> fire times strictly after <paramref name="from"/>, asserting each is later than the one before;
    /// none past the first that <paramref name="allows"/> (a task's end, e.g. <c>TaskEnd.Allows</c>) refuses.</summary>
    public static string[] Next(ITrigger trigger, DateTimeOffset from, int count, Func<DateTimeOffset, bool>? allows = null)
    {
        var result = new List<string>();
        var cursor = from;
        while (result.Count < count && trigger.GetNextFireTime(cursor) is { } next && (allows?.Invoke(next) ?? true))
        {
            Assert.True(next > cursor, $"{trigger.Expression}: {next:O} is not after {cursor:O}");
            Assert.Equal(TimeSpan.Zero, next.Offset);
            result.Add(Format(next, trigger.TimeZone));
            cursor = next;
        }

        return [.. result];
    }
}
