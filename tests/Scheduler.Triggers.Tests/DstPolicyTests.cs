using Cronos;
using Scheduler.Contracts;

namespace Scheduler.Triggers.Tests;

/// <summary>
/// The DST policy of docs/triggers.md, for every trigger kind: a time in a gap fires at the first valid instant after the gap; in an
/// overlap a fixed-time schedule fires once (earlier offset) and an interval schedule fires in both offsets; fire times only increase.
/// </summary>
public class DstPolicyTests
{
    public static TheoryData<TriggerKind, string, string, string, string, string> Cases => new()
    {
        // kind, expression, zone, from, expected fire times, source
        { TriggerKind.Cron, "30 2 * * *", "America/New_York", "2025-03-08T12:00:00-05:00", "2025-03-09T03:00:00-04:00 2025-03-10T02:30:00-04:00", "tzdata: New York DST starts 2025-03-09 02:00 EST -> 03:00 EDT" },
        { TriggerKind.RRule, "FREQ=DAILY;BYHOUR=2;BYMINUTE=30;BYSECOND=0", "America/New_York", "2025-03-08T12:00:00-05:00", "2025-03-09T03:00:00-04:00 2025-03-10T02:30:00-04:00", "tzdata: New York DST starts 2025-03-09 02:00" },
        { TriggerKind.Text, "every day at 2:30am", "America/New_York", "2025-03-08T12:00:00-05:00", "2025-03-09T03:00:00-04:00 2025-03-10T02:30:00-04:00", "tzdata: New York DST starts 2025-03-09 02:00" },
        { TriggerKind.Once, "2025-03-09T02:30:00", "America/New_York", "2025-03-08T12:00:00-05:00", "2025-03-09T03:00:00-04:00", "tzdata: New York DST starts 2025-03-09 02:00" },
        { TriggerKind.Cron, "*/30 * * * *", "America/New_York", "2025-03-09T01:00:00-05:00", "2025-03-09T01:30:00-05:00 2025-03-09T03:00:00-04:00 2025-03-09T03:30:00-04:00", "tzdata + Cronos: 02:00 and 02:30 collapse to 03:00" },
        { TriggerKind.Cron, "30 1 * * *", "America/New_York", "2025-11-01T12:00:00-04:00", "2025-11-02T01:30:00-04:00 2025-11-03T01:30:00-05:00", "tzdata: New York DST ends 2025-11-02 02:00 EDT -> 01:00 EST" },
        { TriggerKind.Text, "every day at 1:30am", "America/New_York", "2025-11-01T12:00:00-04:00", "2025-11-02T01:30:00-04:00 2025-11-03T01:30:00-05:00", "tzdata: New York DST ends 2025-11-02" },
        { TriggerKind.Once, "2025-11-02T01:30:00", "America/New_York", "2025-11-01T12:00:00-04:00", "2025-11-02T01:30:00-04:00", "tzdata: New York DST ends 2025-11-02; the earlier instant" },
        { TriggerKind.Cron, "*/30 * * * *", "America/New_York", "2025-11-02T00:30:00-04:00", "2025-11-02T01:00:00-04:00 2025-11-02T01:30:00-04:00 2025-11-02T01:00:00-05:00 2025-11-02T01:30:00-05:00 2025-11-02T02:00:00-05:00", "tzdata + Cronos interval semantics" },
        { TriggerKind.RRule, "DTSTART;TZID=America/New_York:20251102T000000 RRULE:FREQ=MINUTELY;INTERVAL=30", "UTC", "2025-11-02T00:30:00-04:00", "2025-11-02T01:00:00-04:00 2025-11-02T01:30:00-04:00 2025-11-02T01:00:00-05:00 2025-11-02T01:30:00-05:00 2025-11-02T02:00:00-05:00", "tzdata: New York DST ends 2025-11-02" },
        { TriggerKind.Cron, "30 2 * * *", "Europe/Berlin", "2025-03-29T12:00:00+01:00", "2025-03-30T03:00:00+02:00 2025-03-31T02:30:00+02:00", "tzdata: Berlin DST starts 2025-03-30 02:00 CET -> 03:00 CEST" },
        { TriggerKind.Cron, "30 2 * * *", "Europe/Berlin", "2025-10-25T12:00:00+02:00", "2025-10-26T02:30:00+02:00 2025-10-27T02:30:00+01:00", "tzdata: Berlin DST ends 2025-10-26 03:00 CEST -> 02:00 CET" },
        { TriggerKind.Cron, "30 2 * * *", "Australia/Sydney", "2025-10-04T12:00:00+10:00", "2025-10-05T03:00:00+11:00 2025-10-06T02:30:00+11:00", "tzdata: Sydney DST starts 2025-10-05 02:00 AEST -> 03:00 AEDT" },
        { TriggerKind.Text, "every 30 minutes", "Australia/Sydney", "2025-04-06T01:45:00+11:00", "2025-04-06T02:00:00+11:00 2025-04-06T02:30:00+11:00 2025-04-06T02:00:00+10:00 2025-04-06T02:30:00+10:00 2025-04-06T03:00:00+10:00", "tzdata: Sydney DST ends 2025-04-06 03:00 AEDT -> 02:00 AEST" },
        { TriggerKind.Cron, "30 0 * * *", "America/Santiago", "2025-09-06T12:00:00-04:00", "2025-09-07T01:00:00-03:00 2025-09-08T00:30:00-03:00", "tzdata: Santiago DST starts 2025-09-07 00:00 -04 -> 01:00 -03" },
        { TriggerKind.RRule, "FREQ=DAILY;BYHOUR=23;BYMINUTE=30;BYSECOND=0", "America/Santiago", "2025-04-05T12:00:00-03:00", "2025-04-05T23:30:00-03:00 2025-04-06T23:30:00-04:00", "tzdata: Santiago DST ends 2025-04-06 00:00 -03 -> 2025-04-05 23:00 -04" },
        { TriggerKind.Cron, "15 2 * * *", "Australia/Lord_Howe", "2025-10-04T12:00:00+10:30", "2025-10-05T02:30:00+11:00 2025-10-06T02:15:00+11:00", "tzdata: Lord Howe DST starts 2025-10-05 02:00 +10:30 -> 02:30 +11 (30-minute shift)" },
        { TriggerKind.Cron, "*/15 * * * *", "Australia/Lord_Howe", "2025-04-06T01:30:00+11:00", "2025-04-06T01:45:00+11:00 2025-04-06T01:30:00+10:30 2025-04-06T01:45:00+10:30 2025-04-06T02:00:00+10:30", "tzdata: Lord Howe DST ends 2025-04-06 02:00 +11 -> 01:30 +10:30" },
        { TriggerKind.Text, "every day at 9am", "Asia/Kolkata", "2025-01-01T00:00:00Z", "2025-01-01T09:00:00+05:30", "tzdata: Kolkata is +05:30 all year" },
        { TriggerKind.Cron, "0 9 * * *", "Asia/Kathmandu", "2025-01-01T00:00:00Z", "2025-01-01T09:00:00+05:45", "tzdata: Kathmandu is +05:45 all year" },
        { TriggerKind.RRule, "FREQ=DAILY;BYHOUR=9;BYMINUTE=0;BYSECOND=0", "Australia/Eucla", "2025-01-01T00:00:00Z", "2025-01-01T09:00:00+08:45", "tzdata: Eucla is +08:45 all year" },
        { TriggerKind.Cron, "30 1 * * *", "Europe/Dublin", "2025-03-29T12:00:00Z", "2025-03-30T02:00:00+01:00 2025-03-31T01:30:00+01:00", "tzdata: Dublin 2025-03-30 01:00 GMT -> 02:00 IST (negative DST); runtime misses this gap on Linux" },
        { TriggerKind.Once, "2025-03-30T01:30:00", "Europe/Dublin", "2025-03-29T12:00:00Z", "2025-03-30T02:00:00+01:00", "tzdata: Dublin gap 2025-03-30 01:00-02:00" },
        { TriggerKind.Cron, "30 1 * * *", "Europe/Dublin", "2025-10-25T12:00:00+01:00", "2025-10-26T01:30:00+01:00 2025-10-27T01:30:00+00:00", "tzdata: Dublin 2025-10-26 02:00 IST -> 01:00 GMT" },
        { TriggerKind.Cron, "*/30 * * * *", "Europe/Dublin", "2025-10-26T00:30:00+01:00", "2025-10-26T01:00:00+01:00 2025-10-26T01:30:00+01:00 2025-10-26T01:00:00+00:00 2025-10-26T01:30:00+00:00 2025-10-26T02:00:00+00:00", "tzdata: Dublin overlap 01:00-02:00; runtime misses it on Linux" },
        { TriggerKind.Cron, "0 12 * * *", "Pacific/Apia", "2011-12-28T12:00:00-10:00", "2011-12-29T12:00:00-10:00 2011-12-31T00:00:00+14:00 2011-12-31T12:00:00+14:00", "tzdata: Apia skipped 2011-12-30 (-10 -> +14); Cronos alone repeats 2011-12-29T12:00" },
        { TriggerKind.Text, "every day at noon", "Pacific/Apia", "2011-12-28T12:00:00-10:00", "2011-12-29T12:00:00-10:00 2011-12-31T00:00:00+14:00 2011-12-31T12:00:00+14:00", "tzdata: Apia skipped 2011-12-30" },
        { TriggerKind.Once, "2011-12-30T12:00:00", "Pacific/Apia", "2011-12-28T12:00:00-10:00", "2011-12-31T00:00:00+14:00", "tzdata: Apia skipped 2011-12-30" },
        { TriggerKind.Text, "every other day at 2:30am", "America/New_York", "2025-03-07T12:00:00-05:00", "2025-03-08T02:30:00-05:00 2025-03-10T02:30:00-04:00 2025-03-12T02:30:00-04:00", "tzdata: New York DST starts 2025-03-09 (not a fire day); RRULE DTSTART 2025-03-08 02:30" },
        { TriggerKind.Text, "every 90 minutes", "America/New_York", "2025-03-09T00:00:00-05:00", "2025-03-09T01:30:00-05:00 2025-03-09T03:00:00-04:00 2025-03-09T04:30:00-04:00", "tzdata: New York gap 02:00-03:00; the interval steps wall-clock time, as cron's */30 does" },
        { TriggerKind.Text, "every 2 hours between midnight and 4am", "America/New_York", "2025-11-02T00:30:00-04:00", "2025-11-02T02:00:00-05:00 2025-11-02T04:00:00-05:00 2025-11-03T00:00:00-05:00", "tzdata: New York DST ends 2025-11-02 02:00 EDT -> 01:00 EST; 02:00 exists once" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void GetNextFireTime_FollowsDstPolicy(TriggerKind kind, string expression, string zone, string from, string expected, string source)
    {
        var start = Fires.Instant(from);
        var trigger = TriggerFactory.Create(kind, expression, zone, start);
        var count = expected.Split(' ').Length;

        Assert.Equal(expected.Split(' '), Fires.Next(trigger, start, count));
        Assert.NotEmpty(source);
    }

    [Theory]
    // Zones where the host's zone data (which Cronos reads through TimeZoneInfo) is right and agrees with NodaTime's embedded tz database:
    // our cron must give exactly what Cronos gives (Cronos defines the policy).
    [InlineData("America/New_York")]
    [InlineData("Europe/Berlin")]
    [InlineData("Australia/Sydney")]
    [InlineData("America/Santiago")]
    [InlineData("Australia/Lord_Howe")]
    [InlineData("Asia/Kathmandu")]
    public void CronTrigger_AgreesWithCronos_ThroughoutTheYear(string zoneId)
    {
        var zone = TimeZones.Find(zoneId);
        foreach (var expression in new[] { "*/30 * * * *", "30 2 * * *", "0 1-3 * * *", "0 0,23 * * *" })
        {
            var cronos = CronExpression.Parse(expression);
            var ours = CronTrigger.Parse(expression, zone);
            var from = Fires.Instant("2025-01-01T00:00:00Z");
            var expected = cronos.GetOccurrences(from, Fires.Instant("2026-01-01T00:00:00Z"), TimeZoneInfo.FindSystemTimeZoneById(zoneId), fromInclusive: false).Select(o => o.ToUniversalTime()).ToList();

            Assert.Equal(expected, Fires.Next(ours, from, expected.Count).Select(Fires.Instant));
        }
    }

    [Theory]
    [InlineData("America/New_York")]
    [InlineData("Europe/Dublin")]
    [InlineData("Australia/Lord_Howe")]
    [InlineData("America/Santiago")]
    [InlineData("Pacific/Apia")]
    [InlineData("Africa/Casablanca")]
    public void GetNextFireTime_StrictlyIncreases_AcrossEveryTransitionOfTheYear(string zoneId)
    {
        // Fires.Next asserts each fire time is after the previous one; every transition lies on some day of the year walked here.
        foreach (var (kind, expression) in new[] { (TriggerKind.Cron, "0 * * * *"), (TriggerKind.RRule, "FREQ=HOURLY;INTERVAL=5"), (TriggerKind.Text, "every day at 2:30am") })
        {
            var from = Fires.Instant(zoneId == "Pacific/Apia" ? "2011-01-01T00:00:00Z" : "2025-01-01T00:00:00Z");
            var trigger = TriggerFactory.Create(kind, expression, zoneId, from);

            Assert.NotEmpty(Fires.Next(trigger, from, kind == TriggerKind.Cron ? 24 * 366 : 366));
        }
    }
}
