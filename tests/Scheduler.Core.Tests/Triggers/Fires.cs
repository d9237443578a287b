using System.Globalization;
using NodaTime;
using Scheduler.Core.Triggers;

namespace Scheduler.Core.Tests.Triggers;

/// <summary>Reads fire times of a trigger as ISO-8601 strings with the zone's offset, the form the tables use.</summary>
internal static class Fires
{
    public static DateTimeOffset Instant(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);

    public static string Format(DateTimeOffset instant, DateTimeZone zone) =>
        WallClock.InZone(instant, zone).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>The next <paramref name="count"/> fire times strictly after <paramref name="from"/>, asserting each is later than the one before.</summary>
    public static string[] Next(ITrigger trigger, DateTimeOffset from, int count)
    {
        var result = new List<string>();
        var cursor = from;
        while (result.Count < count && trigger.GetNextFireTime(cursor) is { } next)
        {
            Assert.True(next > cursor, $"{trigger.Expression}: {next:O} is not after {cursor:O}");
            Assert.Equal(TimeSpan.Zero, next.Offset);
            result.Add(Format(next, trigger.TimeZone));
            cursor = next;
        }

        return [.. result];
    }
}
