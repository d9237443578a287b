using NodaTime;
using Scheduler.Contracts;

namespace Scheduler.Triggers.Tests;

public class RRuleTriggerTests
{
    [Theory]
    // rule, zone, from, expected fire times, source of the expected values
    [InlineData("DTSTART;TZID=America/New_York:19970902T090000\nRRULE:FREQ=DAILY;COUNT=10", "UTC", "1997-09-01T00:00:00Z",
        "1997-09-02T09:00:00-04:00 1997-09-03T09:00:00-04:00 1997-09-04T09:00:00-04:00", "RFC 5545 §3.8.5.3 example 'Daily for 10 occurrences'")]
    [InlineData("DTSTART;TZID=America/New_York:19970902T090000\nRRULE:FREQ=DAILY;COUNT=10", "UTC", "1997-09-10T09:00:00-04:00",
        "1997-09-11T09:00:00-04:00", "RFC 5545 §3.8.5.3: the 10th and last occurrence is 1997-09-11")]
    [InlineData("DTSTART;TZID=America/New_York:19970902T090000 RRULE:FREQ=WEEKLY;INTERVAL=2;WKST=SU;BYDAY=TU,TH", "America/New_York", "1997-09-01T00:00:00-04:00",
        "1997-09-02T09:00:00-04:00 1997-09-04T09:00:00-04:00 1997-09-16T09:00:00-04:00 1997-09-18T09:00:00-04:00", "RFC 5545 §3.8.5.3 'Every other week on Tuesday and Thursday'")]
    [InlineData("DTSTART;TZID=America/New_York:19970905T090000\nRRULE:FREQ=MONTHLY;COUNT=10;BYDAY=1FR", "UTC", "1997-09-01T00:00:00Z",
        "1997-09-05T09:00:00-04:00 1997-10-03T09:00:00-04:00 1997-11-07T09:00:00-05:00", "RFC 5545 §3.8.5.3 'Monthly on the first Friday for 10 occurrences'")]
    [InlineData("DTSTART;TZID=America/New_York:19970902T090000\nRRULE:FREQ=DAILY;UNTIL=19970904T130000Z", "UTC", "1997-09-01T00:00:00Z",
        "1997-09-02T09:00:00-04:00 1997-09-03T09:00:00-04:00 1997-09-04T09:00:00-04:00", "RFC 5545 §3.3.10: UNTIL is inclusive (13:00Z = 09:00 EDT)")]
    [InlineData("DTSTART:20250101T090000Z\nRRULE:FREQ=DAILY;COUNT=4\nEXDATE:20250102T090000Z,20250103T090000Z", "UTC", "2024-12-31T00:00:00Z",
        "2025-01-01T09:00:00+00:00 2025-01-04T09:00:00+00:00", "RFC 5545 §3.8.5.1: EXDATE removes instances; COUNT counts them before removal")]
    [InlineData("FREQ=WEEKLY;BYDAY=TU;BYHOUR=9;BYMINUTE=34;BYSECOND=0", "America/New_York", "2025-01-01T00:00:00-05:00",
        "2025-01-07T09:34:00-05:00 2025-01-14T09:34:00-05:00", "hand-computed: DTSTART is the anchor (a Wednesday, not an occurrence)")]
    public void GetNextFireTime_FollowsRfc5545(string rule, string zone, string from, string expected, string source)
    {
        var trigger = TriggerFactory.Create(TriggerKind.Detect, rule, zone, Fires.Instant(from));

        Assert.Equal(TriggerKind.RRule, trigger.Kind);
        Assert.Equal(expected.Split(' '), Fires.Next(trigger, Fires.Instant(from), 4).Take(expected.Split(' ').Length));
        Assert.NotEmpty(source);
    }

    [Fact]
    public void Expression_RebuildsSameTrigger_WhateverTheAnchor()
    {
        var trigger = RRuleTrigger.Parse("FREQ=WEEKLY;INTERVAL=2", TimeZones.Find("Europe/Berlin"), Fires.Instant("2025-01-01T08:00:00Z"));
        var rebuilt = TriggerFactory.Create(trigger.Kind, trigger.Expression, trigger.TimeZone.Id, Fires.Instant("2030-01-01T00:00:00Z"));

        Assert.Equal("DTSTART;TZID=Europe/Berlin:20250101T090000\nRRULE:FREQ=WEEKLY;INTERVAL=2", trigger.Expression);
        Assert.Equal(Fires.Next(trigger, Fires.Instant("2025-01-01T00:00:00Z"), 3), Fires.Next(rebuilt, Fires.Instant("2025-01-01T00:00:00Z"), 3));
    }

    /// <summary>From a DTSTART years back, the evaluation starts a period or two before the instant asked about, on the rule's grid, instead
    /// of at DTSTART (24 million occurrences back here): what keeps the call fast, checked without timing it.</summary>
    [Fact]
    public void GetNextFireTime_WhenDtStartIsYearsBack_EvaluatesFromThePeriodBefore_AndIsExact()
    {
        var trigger = RRuleTrigger.Parse("DTSTART:20200101T000000Z\nRRULE:FREQ=SECONDLY;INTERVAL=7", DateTimeZone.Utc, default);
        var from = Fires.Instant("2025-06-01T00:00:00Z");

        var start = trigger.EvaluationStart(from.UtcDateTime);
        var next = trigger.GetNextFireTime(from);

        Assert.InRange(from.UtcDateTime - start, TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(14));
        Assert.Equal(0, (start - new DateTime(2020, 1, 1)).Ticks % TimeSpan.FromSeconds(7).Ticks); // on the rule's grid
        // hand-computed: 2025-06-01T00:00:00Z is 1,978 days = 170,899,200 s after DTSTART, 3 s past a multiple of 7
        Assert.Equal(Fires.Instant("2025-06-01T00:00:04Z"), next);
    }

    [Theory]
    [InlineData("FREQ=SOMETIMES", "FREQ=SOMETIMES")]
    [InlineData("BYDAY=TU", "'BYDAY=TU' is not understood")]
    [InlineData("FREQ=DAILY;INTERVAL=0", "'FREQ=DAILY;INTERVAL=0' is not valid")]
    [InlineData("DTSTART:2025-01-01 RRULE:FREQ=DAILY", "'DTSTART:2025-01-01' is not understood")]
    [InlineData("DTSTART:20251301T000000 RRULE:FREQ=DAILY", "'20251301T000000' is not an iCalendar date-time")]
    [InlineData("DTSTART;TZID=Mars/Base:20250101T000000 RRULE:FREQ=DAILY", "Mars/Base")]
    public void Parse_Rejects_WhenRuleIsInvalid(string rule, string fragment)
    {
        var ex = Assert.Throws<TriggerFormatException>(() => TriggerFactory.Create(TriggerKind.RRule, rule, "UTC", default));

        Assert.Contains(fragment, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Rejects_WhenTzidDiffersFromTriggerZone()
    {
        var ex = Assert.Throws<TriggerFormatException>(() =>
            TriggerFactory.Create(TriggerKind.RRule, "DTSTART;TZID=Europe/Berlin:20250101T000000 RRULE:FREQ=DAILY", "America/New_York", default));

        Assert.Contains("Europe/Berlin", ex.Message, StringComparison.Ordinal);
        Assert.Contains("America/New_York", ex.Message, StringComparison.Ordinal);
    }
}
