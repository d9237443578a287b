using Scheduler.Contracts;

namespace Scheduler.Triggers.Tests;

/// <summary>
/// Issue #23, item 3: relative phrases with more than one common reading are either accepted with the reading taken stated (in explain and in
/// the reply) or rejected offering both readings as phrasings that parse (docs/triggers.md, "Words read one way"). Each such phrase found,
/// with the fire time the reading gives; starts in UTC unless the row names a zone.
/// </summary>
public class PhraseReadingTests
{
    private const string Wednesday = "2025-01-01T10:30:00Z";

    [Theory]
    // phrase | zone | start | a fragment of the reading taken | the first fire time strictly after the start
    [InlineData("next friday at noon", "UTC", Wednesday, "'next friday' is read as Friday 2025-01-03, the first Friday after 2025-01-01 (the start), not Friday 2025-01-10 of the week after: write '2025-01-10'", "2025-01-03T12:00:00+00:00")]
    [InlineData("every day at 9am starting next friday", "UTC", Wednesday, "'next friday' is read as Friday 2025-01-03", "2025-01-03T09:00:00+00:00")]
    [InlineData("tomorrow at 8am", "Europe/Berlin", "2025-01-01T01:15:00+01:00", "'tomorrow' is read as 2025-01-02, the day after the start's date (2025-01-01 01:15), not the day that begins after this night: write 'today'", "2025-01-02T08:00:00+01:00")]
    [InlineData("in 1 month", "UTC", "2025-01-31T10:00:00Z", "'in 1 month' from 2025-01-31 is read as 2025-02-28, the last day of that month, which has no 31st.", "2025-02-28T10:00:00+00:00")]
    [InlineData("in 1 year", "UTC", "2024-02-29T10:00:00Z", "'in 1 year' from 2024-02-29 is read as 2025-02-28", "2025-02-28T10:00:00+00:00")]
    [InlineData("in 1 day", "America/New_York", "2025-03-08T10:00:00-05:00", "'in 1 day' keeps the wall-clock time, 2025-03-09 10am: 23 hours across the time zone's change of offset; write 'in 24 hours'", "2025-03-09T10:00:00-04:00")]
    [InlineData("in 2 weeks", "Europe/Berlin", "2025-10-20T10:00:00+02:00", "'in 2 weeks' keeps the wall-clock time, 2025-11-03 10am: 337 hours", "2025-11-03T10:00:00+01:00")]
    [InlineData("every other tuesday at 9:34am", "America/New_York", "2025-01-01T10:30:00-05:00", "'every 2 weeks' counts from the first occurrence at or after the start, 2025-01-07; write 'starting 2025-01-14' to count from the one after.", "2025-01-07T09:34:00-05:00")]
    [InlineData("every 2 months on the 15th at 9am", "UTC", Wednesday, "'every 2 months' counts from the first occurrence at or after the start, 2025-01-15; write 'starting 2025-02-15'", "2025-01-15T09:00:00+00:00")]
    [InlineData("every 2 weeks", "UTC", Wednesday, "The phrase names no day of the week, so 'every 2 weeks' keeps the phase of the task's start: the first is 2025-01-01 at 10:30am (the start's time of day).", "2025-01-15T10:30:00+00:00")]
    [InlineData("every 3 days at 7am", "UTC", Wednesday, "'every 3 days' counts from the start: the first is 2025-01-02 at 7am", "2025-01-02T07:00:00+00:00")]
    [InlineData("every monday", "UTC", Wednesday, "The phrase gives no time of day: it fires at 00:00, the start of each day it names, as cron does", "2025-01-06T00:00:00+00:00")]
    [InlineData("weekly at 9am", "UTC", Wednesday, "The phrase names no day of the week: it fires on Sundays, as cron's @weekly does", "2025-01-05T09:00:00+00:00")]
    [InlineData("monthly at 9am", "UTC", Wednesday, "The phrase names no day of the month: it fires on the 1st, as cron's @monthly does", "2025-02-01T09:00:00+00:00")]
    [InlineData("yearly at noon", "UTC", Wednesday, "The phrase names no date: it fires on 1 January, as cron's @yearly does", "2025-01-01T12:00:00+00:00")]
    [InlineData("next monday", "UTC", Wednesday, "The date 2025-01-06 is given without a time of day: it fires at 00:00, the start of that day.", "2025-01-06T00:00:00+00:00")]
    [InlineData("every 15 minutes until 5pm", "UTC", Wednesday, "'until 5pm' ends the task at the first 5pm at or after the start, 2025-01-01 5pm, not at 5pm of every day: for a daily window write 'between … and 5pm'.", "2025-01-01T10:45:00+00:00")]
    [InlineData("every 90 minutes starting at 9am", "UTC", Wednesday, "'starting at 9am' is read as the first 9am at or after the start: 2025-01-02 9am.", "2025-01-02T09:00:00+00:00")]
    [InlineData("daily at 9", "UTC", Wednesday, "'9' is read on the 24-hour clock: 09:00 (write '9am' or '9pm'", "2025-01-02T09:00:00+00:00")]
    [InlineData("every day at 9am until 2025-01-05 at midnight", "UTC", Wednesday, "'until … at midnight' ends at 2025-01-05 00:00, the start of that day, not its end: write 'until 2025-01-06' for 2025-01-06 00:00, or 'until 2025-01-05' to include the whole day.", "2025-01-02T09:00:00+00:00")]
    public void Phrase_IsAccepted_WithTheReadingTakenStated(string phrase, string zone, string start, string reading, string first)
    {
        var from = Fires.Instant(start);
        var parsed = TriggerFactory.Read(TriggerKind.Text, phrase, zone, from);

        Assert.Contains(parsed.Readings, r => r.Contains(reading, StringComparison.Ordinal));
        Assert.Equal(first, Fires.Next(parsed.Trigger, from, 1).Single());
    }

    [Theory]
    // When the readings agree there is nothing to state: "next tuesday" on a Wednesday is next week's under both; on a Friday "next friday"
    // is a week ahead under both; "tomorrow" at 10:30 is plainly the next day; a time of day or a named day leaves nothing to choose.
    [InlineData("next tuesday at noon", Wednesday, "2025-01-07T12:00:00+00:00")]
    [InlineData("next friday at noon", "2025-01-03T10:30:00Z", "2025-01-10T12:00:00+00:00")]
    [InlineData("tomorrow at 8am", Wednesday, "2025-01-02T08:00:00+00:00")]
    [InlineData("every day at 9am", Wednesday, "2025-01-02T09:00:00+00:00")]
    [InlineData("every week on friday at 5pm", Wednesday, "2025-01-03T17:00:00+00:00")]
    [InlineData("in 90 minutes", Wednesday, "2025-01-01T12:00:00+00:00")]
    [InlineData("daily at 17", Wednesday, "2025-01-01T17:00:00+00:00")]
    [InlineData("in 1 month", Wednesday, "2025-02-01T10:30:00+00:00")]
    public void Phrase_WithOneReading_StatesNone(string phrase, string start, string first)
    {
        var from = Fires.Instant(start);
        var parsed = TriggerFactory.Read(TriggerKind.Text, phrase, "UTC", from);

        Assert.Empty(parsed.Readings);
        Assert.Equal(first, Fires.Next(parsed.Trigger, from, 1).Single());
    }

    [Theory]
    // phrase | start | the reason | the phrasings offered for the readings, which parse and fire at different times
    [InlineData("today at 9am", Wednesday, "'today at 9am' has passed at the start (2025-01-01 10:30am): now, or tomorrow?", "tomorrow at 9am|in 1 minute")]
    [InlineData("today", Wednesday, "'today' has passed at the start", "tomorrow|in 1 minute")]
    [InlineData("tomorrow at midnight", Wednesday, "'midnight' on 2025-01-02 is ambiguous: its start (2025-01-02 00:00) or its end (2025-01-03 00:00)?", "on 2025-01-02 at 00:00|on 2025-01-03 at 00:00")]
    [InlineData("next friday at midnight", Wednesday, "'midnight' on 2025-01-03 is ambiguous", "on 2025-01-03 at 00:00|on 2025-01-04 at 00:00")]
    [InlineData("on 2026-01-05 at midnight", Wednesday, "'midnight' on 2026-01-05 is ambiguous", "on 2026-01-05 at 00:00|on 2026-01-06 at 00:00")]
    public void Phrase_IsRejected_OfferingBothReadings(string phrase, string start, string reason, string readings)
    {
        var from = Fires.Instant(start);
        var ex = Assert.Throws<TriggerFormatException>(() => TriggerFactory.Read(TriggerKind.Text, phrase, "UTC", from));

        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        var offered = readings.Split('|');
        foreach (var phrasing in offered)
        {
            Assert.Contains($"'{phrasing}'", ex.Message, StringComparison.Ordinal);
        }

        var fires = offered.Select(p => Fires.Next(TriggerFactory.Create(TriggerKind.Text, p, "UTC", from), from, 1).Single()).ToList();
        Assert.Equal(offered.Length, fires.Distinct().Count());
    }

    [Fact]
    public void Describe_OfAOneShotAtMidnight_SaysZeroHundred_SoItReadsBack()
    {
        var trigger = TriggerFactory.Create(TriggerKind.Text, "tomorrow", "UTC", Fires.Instant(Wednesday));

        Assert.Equal("on 2025-01-02 at 00:00", trigger.Describe());
        Assert.Equal(Fires.Instant("2025-01-02T00:00:00Z"), ((ExecuteOnceTrigger)TriggerFactory.Create(TriggerKind.Text, trigger.Describe(), "UTC", Fires.Instant(Wednesday))).FireTime);
    }
}
