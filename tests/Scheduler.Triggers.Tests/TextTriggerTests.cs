using Scheduler.Contracts;

namespace Scheduler.Triggers.Tests;

public class TextTriggerTests
{
    [Theory]
    // phrase, zone, from (= anchor), expected fire times, normalized form, source of the expected values
    [InlineData("every other tuesday at 9:34am", "America/New_York", "2025-01-01T00:00:00-05:00",
        "2025-01-07T09:34:00-05:00 2025-01-21T09:34:00-05:00 2025-02-04T09:34:00-05:00",
        "DTSTART;TZID=America/New_York:20250107T093400\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "issue #4 example; 2025-01-07 is the first Tuesday after Wed 2025-01-01")]
    [InlineData("every weekday at 9am", "UTC", "2025-01-03T10:00:00Z",
        "2025-01-06T09:00:00+00:00 2025-01-07T09:00:00+00:00", "0 9 * * 1-5", "hand-computed: 2025-01-03 is a Friday")]
    [InlineData("every 15 minutes", "UTC", "2025-01-01T00:07:00Z",
        "2025-01-01T00:15:00+00:00 2025-01-01T00:30:00+00:00", "*/15 * * * *", "hand-computed: aligned to the clock like cron */15")]
    [InlineData("every 2 hours", "Europe/Berlin", "2025-01-01T00:30:00+01:00",
        "2025-01-01T02:00:00+01:00 2025-01-01T04:00:00+01:00", "0 */2 * * *", "hand-computed: aligned to the clock like cron 0 */2")]
    [InlineData("every 7 minutes", "UTC", "2025-01-01T00:03:20Z",
        "2025-01-01T00:04:00+00:00 2025-01-01T00:11:00+00:00", "DTSTART:20250101T000400Z\nRRULE:FREQ=MINUTELY;INTERVAL=7", "hand-computed: counted from the start rounded up to the minute")]
    [InlineData("every day at 17:00", "Asia/Kolkata", "2025-01-01T00:00:00+05:30",
        "2025-01-01T17:00:00+05:30 2025-01-02T17:00:00+05:30", "0 17 * * *", "hand-computed")]
    [InlineData("first monday of every month at noon", "UTC", "2025-01-01T00:00:00Z",
        "2025-01-06T12:00:00+00:00 2025-02-03T12:00:00+00:00 2025-03-03T12:00:00+00:00", "0 12 * * 1#1", "calendar: first Mondays of Jan-Mar 2025")]
    [InlineData("last friday of the month at 17:00", "UTC", "2025-01-01T00:00:00Z",
        "2025-01-31T17:00:00+00:00 2025-02-28T17:00:00+00:00 2025-03-28T17:00:00+00:00", "0 17 * * 5L", "calendar: last Fridays of Jan-Mar 2025")]
    [InlineData("every 2nd and 4th thursday at 10:00", "Europe/Berlin", "2025-01-01T00:00:00+01:00",
        "2025-01-09T10:00:00+01:00 2025-01-23T10:00:00+01:00 2025-02-13T10:00:00+01:00 2025-02-27T10:00:00+01:00",
        "DTSTART;TZID=Europe/Berlin:20250109T100000\nRRULE:FREQ=MONTHLY;BYDAY=2TH,4TH", "calendar: 2nd and 4th Thursdays of Jan-Feb 2025; DTSTART is the first of them")]
    [InlineData("every month on the 15th at 9am", "UTC", "2025-01-20T00:00:00Z",
        "2025-02-15T09:00:00+00:00 2025-03-15T09:00:00+00:00", "0 9 15 * *", "hand-computed")]
    [InlineData("every day at 17:00 except weekends", "UTC", "2025-01-03T18:00:00Z",
        "2025-01-06T17:00:00+00:00 2025-01-07T17:00:00+00:00", "0 17 * * 1-5", "hand-computed: 2025-01-04/05 are a weekend")]
    [InlineData("Every Monday and Friday at 8:15 AM", "UTC", "2025-01-01T00:00:00Z",
        "2025-01-03T08:15:00+00:00 2025-01-06T08:15:00+00:00", "15 8 * * 1,5", "calendar: 2025-01-03 Friday, 2025-01-06 Monday")]
    [InlineData("every other day at 7am", "UTC", "2025-01-01T08:00:00Z",
        "2025-01-02T07:00:00+00:00 2025-01-04T07:00:00+00:00", "DTSTART:20250102T070000Z\nRRULE:FREQ=DAILY;INTERVAL=2", "hand-computed: first 7am at or after the start")]
    [InlineData("every month on the last day at 18:00", "UTC", "2025-01-01T00:00:00Z",
        "2025-01-31T18:00:00+00:00 2025-02-28T18:00:00+00:00", "0 18 L * *", "calendar")]
    public void Parse_FiresAsThePhraseSays(string phrase, string zone, string from, string expected, string normalized, string source)
    {
        var trigger = Assert.IsType<TextTrigger>(TriggerFactory.Create(TriggerKind.Text, phrase, zone, Fires.Instant(from)));

        Assert.Equal(expected.Split(' '), Fires.Next(trigger, Fires.Instant(from), expected.Split(' ').Length));
        Assert.Equal(normalized, trigger.Normalized.Expression);
        Assert.NotEmpty(source);
    }

    [Theory]
    // One-shot phrases become execute-once triggers at the absolute instant, counted from the anchor.
    [InlineData("tomorrow at 8am", "America/New_York", "2025-01-01T22:00:00-05:00", "2025-01-02T13:00:00Z", "hand-computed: 08:00 EST the next day")]
    [InlineData("in 2 hours", "UTC", "2025-01-01T10:15:00Z", "2025-01-01T12:15:00Z", "hand-computed: elapsed time")]
    [InlineData("in 1 day", "America/New_York", "2025-03-08T12:00:00-05:00", "2025-03-09T16:00:00Z", "tzdata: DST starts 2025-03-09, so 1 day of wall clock is 23 hours")]
    [InlineData("at 2026-01-05 14:30", "Europe/Berlin", "2025-01-01T00:00:00Z", "2026-01-05T13:30:00Z", "hand-computed: CET is +01:00")]
    [InlineData("on 2026-01-05 at 2:30pm", "UTC", "2025-01-01T00:00:00Z", "2026-01-05T14:30:00Z", "hand-computed")]
    public void Parse_GivesExecuteOnce_WhenPhraseIsOneShot(string phrase, string zone, string anchor, string expected, string source)
    {
        var trigger = Assert.IsType<ExecuteOnceTrigger>(TriggerFactory.Create(TriggerKind.Detect, phrase, zone, Fires.Instant(anchor)));

        Assert.Equal(Fires.Instant(expected), trigger.FireTime);
        Assert.Equal(TriggerKind.Once, trigger.Kind);
        Assert.NotEmpty(source);
    }

    [Theory]
    // More rejections, with the reason and a suggestion each, are in PhraseTable.Rejected (PhraseGrammarTests).
    [InlineData("every day at 25:00", "'25:00' is not a time of day")]
    [InlineData("every other weekday at 9am", "ambiguous")]
    [InlineData("every day at 9am except every day", "'except every' is not understood")]
    [InlineData("every weekend at 9am except weekends", "never fire")]
    [InlineData("every month on the 32nd at 9am", "'32nd' is not a day of the month")]
    [InlineData("every 0 minutes", "out of range")]
    [InlineData("tuesday every at 9am", "'every at' is not understood")]
    public void Parse_Rejects_WhenPhraseIsNotUnderstood(string phrase, string reason)
    {
        var ex = Assert.Throws<TriggerFormatException>(() => TriggerFactory.Create(TriggerKind.Text, phrase, "UTC", Fires.Instant("2025-01-01T00:00:00Z")));

        Assert.Contains(phrase, ex.Message, StringComparison.Ordinal);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.Contains(" Try '", ex.Message, StringComparison.Ordinal); // suggests phrasings that parse
    }

    [Fact]
    public void Create_RebuildsSameTrigger_FromCanonicalExpressionAndAnchor()
    {
        var anchor = Fires.Instant("2025-01-01T00:00:00-05:00");
        var first = TriggerFactory.Create(TriggerKind.Detect, "Every Other  Tuesday at 9:34am", "America/New_York", anchor);
        var rebuilt = TriggerFactory.Create(first.Kind, first.Expression, first.TimeZone.Id, anchor);

        Assert.Equal("every other tuesday at 9:34am", first.Expression);
        Assert.Equal(Fires.Next(first, anchor, 5), Fires.Next(rebuilt, anchor, 5));
    }
}
