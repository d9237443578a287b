using Scheduler.Contracts;

namespace Scheduler.Triggers.Tests;

/// <summary>
/// Issue #23, item 2: every N (2 or more) days, weeks, months or years that name no day for their unit keep the phase of the task's start,
/// its date and its wall-clock time (to the minute) in the task's zone, across DST changes and at the ends of months, as an interval of
/// minutes that does not divide the hour does (docs/triggers.md, "Two rules for phrases without a time of day").
/// </summary>
public class PhaseOfStartTests
{
    [Theory]
    // phrase | zone | start | the next fire times strictly after the start, as `scheduler next` lists them (checked by hand against the
    // calendar and tzdata: New York springs forward 2025-03-09, Berlin and London fall back 2025-10-26, Sydney changes in April and October)
    [InlineData("every 2 weeks", "America/New_York", "2025-03-01T10:30:00-05:00", "2025-03-15T10:30:00-04:00 2025-03-29T10:30:00-04:00")]
    [InlineData("every other week", "Europe/Berlin", "2025-10-15T08:15:40+02:00", "2025-10-15T08:16:00+02:00 2025-10-29T08:16:00+01:00")]
    [InlineData("every 3 days", "America/New_York", "2025-03-06T02:30:00-05:00", "2025-03-09T03:00:00-04:00 2025-03-12T02:30:00-04:00")]
    [InlineData("every 2 days", "Europe/London", "2025-10-24T01:30:00+01:00", "2025-10-26T01:30:00+01:00 2025-10-28T01:30:00+00:00")]
    [InlineData("every 2 months", "UTC", "2025-08-31T09:00:00Z", "2025-10-31T09:00:00+00:00 2025-12-31T09:00:00+00:00 2026-02-28T09:00:00+00:00 2026-04-30T09:00:00+00:00 2026-06-30T09:00:00+00:00 2026-08-31T09:00:00+00:00")]
    [InlineData("every 2 months at 9am and 5pm", "UTC", "2025-12-30T18:00:00Z", "2025-12-31T09:00:00+00:00 2025-12-31T17:00:00+00:00 2026-02-28T09:00:00+00:00 2026-02-28T17:00:00+00:00 2026-04-30T09:00:00+00:00")]
    [InlineData("every 3 months", "Australia/Sydney", "2025-01-15T09:00:00+11:00", "2025-04-15T09:00:00+10:00 2025-07-15T09:00:00+10:00 2025-10-15T09:00:00+11:00")]
    [InlineData("every 2 years", "UTC", "2024-02-29T12:00:00Z", "2026-02-28T12:00:00+00:00 2028-02-29T12:00:00+00:00")]
    [InlineData("every 2 weeks at 9am", "UTC", "2025-01-01T10:30:00Z", "2025-01-02T09:00:00+00:00 2025-01-16T09:00:00+00:00")]
    public void Phrase_KeepsTheStartsDateAndWallClockTime(string phrase, string zone, string start, string expected)
    {
        var from = Fires.Instant(start);
        var trigger = TriggerFactory.Create(TriggerKind.Text, phrase, zone, from);

        Assert.Equal(expected.Split(' '), Fires.Next(trigger, from, expected.Split(' ').Length));
    }

    [Theory]
    [InlineData("every 2 weeks", "every 2 weeks on saturday at 10:30am starting 2025-03-01")]
    [InlineData("every 3 days", "every 3 days at 10:30am starting 2025-03-01")]
    [InlineData("every 2 months", "every 2 months on the 1st at 10:30am starting 2025-03-01")]
    public void Describe_NamesThePhaseOfTheStart(string phrase, string description)
    {
        var trigger = TriggerFactory.Create(TriggerKind.Text, phrase, "America/New_York", Fires.Instant("2025-03-01T10:30:00-05:00"));

        Assert.Equal(description, trigger.Describe());
    }

    [Fact]
    public void Describe_OfAMonthEndPhase_SaysTheLastDayOfAShorterMonth()
    {
        var trigger = TriggerFactory.Create(TriggerKind.Text, "every 2 months", "UTC", Fires.Instant("2025-08-31T09:00:00Z"));

        Assert.Equal("every 2 months on day 31 (the last day of a shorter month) at 09:00 from 2025-08-31 09:00:00", trigger.Describe());
    }

    [Theory]
    // One unit stays aligned as cron's macro, and a phrase that names the unit's day keeps it (at midnight without a time).
    [InlineData("weekly", "0 0 * * 0")]
    [InlineData("monthly", "0 0 1 * *")]
    [InlineData("every 2 weeks on monday", "DTSTART:20250106T000000Z / RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO")]
    [InlineData("every 2 months on the 15th", "DTSTART:20250115T000000Z / RRULE:FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=15")]
    public void Phrase_ThatNamesItsDayOrIsOneUnit_DoesNotTakeThePhaseOfTheStart(string phrase, string normalized)
    {
        var trigger = (TextTrigger)TriggerFactory.Create(TriggerKind.Text, phrase, "UTC", Fires.Instant("2025-01-01T10:30:00Z"));

        Assert.Equal(normalized, trigger.Normalized.Expression.Replace("\n", " / ", StringComparison.Ordinal));
    }
}
