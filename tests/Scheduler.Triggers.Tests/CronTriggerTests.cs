using NodaTime;
using Scheduler.Contracts;

namespace Scheduler.Triggers.Tests;

public class CronTriggerTests
{
    private static readonly DateTimeOffset From = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    // Expected values worked out by hand from the cron fields.
    [InlineData("*/15 * * * *", "UTC", "2025-01-01T00:15:00+00:00")]
    [InlineData("30 9 * * 1-5", "UTC", "2025-01-01T09:30:00+00:00")]
    [InlineData("*/10 * * * * *", "UTC", "2025-01-01T00:00:10+00:00")]
    [InlineData("0 9 * * *", "America/New_York", "2025-01-01T14:00:00+00:00")]
    [InlineData("@daily", "Europe/Berlin", "2025-01-01T23:00:00+00:00")]
    public void GetNextFireTime_ReturnsNextOccurrenceInZone(string expression, string zone, string expected)
    {
        var trigger = TriggerFactory.Create(TriggerKind.Cron, expression, zone, From);

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), trigger.GetNextFireTime(From));
        Assert.Equal(TimeSpan.Zero, trigger.GetNextFireTime(From)!.Value.Offset);
    }

    [Fact]
    public void GetNextFireTime_IsStrictlyAfterFrom_WhenFromIsAnOccurrence()
    {
        var trigger = CronTrigger.Parse("0 * * * *", DateTimeZone.Utc);

        Assert.Equal(From.AddHours(1), trigger.GetNextFireTime(From));
    }

    [Theory]
    [InlineData("* * * *", "4 fields")]
    [InlineData("61 * * * *", "is not valid")]
    public void Parse_Throws_WhenExpressionIsInvalid(string expression, string expectedFragment)
    {
        var ex = Assert.Throws<TriggerFormatException>(() => CronTrigger.Parse(expression, DateTimeZone.Utc));

        Assert.Contains(expression, ex.Message, StringComparison.Ordinal);
        Assert.Contains(expectedFragment, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_Throws_WhenZoneIsUnknown()
    {
        var ex = Assert.Throws<TriggerFormatException>(() => TriggerFactory.Create(TriggerKind.Cron, "* * * * *", "Mars/Olympus_Mons", From));

        Assert.Contains("Mars/Olympus_Mons", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-01-05T14:30:00Z", TriggerKind.Once)]
    [InlineData("*/5 * * * *", TriggerKind.Cron)]
    [InlineData("0 0 9 * * MON-FRI", TriggerKind.Cron)]
    [InlineData("@hourly", TriggerKind.Cron)]
    [InlineData("0 12 * * MON#1", TriggerKind.Cron)]
    [InlineData("0 17 * * FRIL", TriggerKind.Cron)]
    [InlineData("FREQ=WEEKLY;BYDAY=TU", TriggerKind.RRule)]
    [InlineData("every other tuesday at 9:34am", TriggerKind.Text)]
    [InlineData("every day at 17:00 except weekends", TriggerKind.Text)]
    [InlineData("*/5 * * *", TriggerKind.Cron)]
    [InlineData("every other tuesday at noon", TriggerKind.Text)]
    public void Detect_RecognisesKind(string expression, TriggerKind expected)
    {
        Assert.Equal(expected, TriggerFactory.Detect(expression, DateTimeZone.Utc));
    }
}
