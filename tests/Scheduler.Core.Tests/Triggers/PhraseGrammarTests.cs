using System.Text.RegularExpressions;
using Scheduler.Contracts;
using Scheduler.Core.Triggers;

namespace Scheduler.Core.Tests.Triggers;

/// <summary>The English phrase grammar, table-driven from <see cref="PhraseTable"/>.</summary>
public partial class PhraseGrammarTests
{
    private static readonly DateTime Start = new(2025, 1, 1, 10, 30, 0);

    public static TheoryData<string, string, string, string> Accepted()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var row in Rows(PhraseTable.Accepted))
        {
            data.Add(row[0], row[1], row[2], row[3]);
        }

        return data;
    }

    public static TheoryData<string, string, string> Rejected()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var row in Rows(PhraseTable.Rejected))
        {
            data.Add(row[0], row[1], row[2]);
        }

        return data;
    }

    [Fact]
    public void Table_HasAtLeast150Phrases_AndEveryPhraseOfTheIssue()
    {
        var accepted = Rows(PhraseTable.Accepted).Select(r => r[0]).ToList();
        var rejected = Rows(PhraseTable.Rejected).Select(r => r[0]).ToList();

        Assert.True(accepted.Count + rejected.Count >= 150, $"{accepted.Count} accepted + {rejected.Count} rejected");
        Assert.Equal(accepted.Count, accepted.Distinct().Count());
        foreach (var phrase in new[]
        {
            "hourly", "every 5 min", "daily at 9am", "at 9am every day", "every day at 9am and 5pm", "weekly on monday", "every 2 hours between 9am and 5pm",
            "fortnightly on friday at 9am", "at noon on weekdays", "tomorrow at 8", "next friday at noon", "in 90 minutes", "every quarter hour",
            "every 2nd and 4th thursday at 10:00", "every day at 9am except weekends", "every day at 9am for 3 times", "every day at 9am until 2025-01-05",
            "every day at 9am starting 2025-02-01", "every day at 9.30am", "daily at 9", "every day at noon", "every day at midnight", "2026-01-05",
        })
        {
            Assert.Contains(phrase, accepted);
        }

        Assert.Contains("twice a day", rejected);
    }

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Create_NormalizesAndFires_WhenPhraseIsAccepted(string phrase, string zone, string normalized, string fires)
    {
        var from = Anchor(zone);
        var parsed = TriggerFactory.Read(TriggerKind.Text, phrase, zone, from);
        var trigger = parsed.Trigger;

        var expression = trigger is TextTrigger text ? text.Normalized.Expression : trigger.Expression;
        Assert.Equal(normalized, expression.Replace("\n", " / ", StringComparison.Ordinal) + Fires.EndSuffix(parsed.EndAt, parsed.MaxOccurrences));
        Assert.Equal(fires.Split(' '), Fires.Next(parsed, from, 3));
    }

    [Theory]
    [MemberData(nameof(Accepted))]
    public void ScheduleTask_StoresAFormThatFiresTheSame_WithoutThePhraseOrTheAnchor(string phrase, string zone, string normalized, string fires)
    {
        var from = Anchor(zone);
        var definition = Core.Definitions.TaskDefinitionFactory.Create(new ScheduleTask { Trigger = phrase, TimeZone = zone, StartAt = from }, from);

        // What a node rebuilds from the stored row, here with another anchor: the table's fire times, whatever the grammar does later.
        var rebuilt = TriggerFactory.Create(definition.TriggerKind, definition.Trigger, definition.TimeZoneId, from.AddYears(1));
        Assert.NotEqual(TriggerKind.Text, definition.TriggerKind);
        Assert.Equal(normalized, definition.Trigger.Replace("\n", " / ", StringComparison.Ordinal) + Fires.EndSuffix(definition.EndAt, definition.MaxOccurrences));
        Assert.Equal(fires.Split(' '), Fires.Next(rebuilt, from, 3, definition.End));
        Assert.Equal(Core.Triggers.Phrases.PhraseGrammar.Canonical(phrase), definition.TriggerPhrase);
    }

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Describe_ParsesBackToTheSameSchedule(string phrase, string zone, string normalized, string fires)
    {
        var from = Anchor(zone);
        var trigger = TriggerFactory.Create(TriggerKind.Text, phrase, zone, from);
        var description = trigger.Describe();

        // Read back from a later anchor too: the description must not lean on the anchor (RRULEs name their start).
        var reread = TriggerFactory.Create(TriggerKind.Detect, description, zone, from);
        var rereadLater = trigger is ExecuteOnceTrigger ? reread : TriggerFactory.Create(TriggerKind.Detect, description, zone, from.AddDays(3));
        var expected = Fires.Next(trigger, from, 12);
        Assert.Equal(expected, Fires.Next(reread, from, 12));
        Assert.Equal(expected.Where(f => Fires.Instant(f) >= from.AddDays(3)), Fires.Next(rereadLater, from, 12).Where(f => Fires.Instant(f) >= from.AddDays(3)));
        Assert.NotEmpty(normalized + fires);
    }

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Create_RejectsNamingTheWordsAndSuggesting_WhenPhraseIsNotUnderstood(string phrase, string reason, string suggestion)
    {
        var ex = Assert.Throws<TriggerFormatException>(() => TriggerFactory.Create(TriggerKind.Text, phrase, "UTC", Anchor("UTC")));

        Assert.StartsWith($"Could not understand the trigger '{phrase}': ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        var suggested = Suggestions(ex.Message);
        Assert.Contains(suggestion, suggested);
        Assert.InRange(suggested.Count, 1, 3);
        foreach (var each in suggested)
        {
            TriggerFactory.Create(TriggerKind.Text, each, "UTC", Anchor("UTC")); // every suggestion parses
        }
    }

    [Theory]
    // Cron and RRULE triggers: explain writes them in the grammar, and the words read back to the same fire times.
    [InlineData("0 9 * * 1-5", "Europe/Berlin", "every weekday at 9am")]
    [InlineData("*/15 * * * *", "UTC", "every 15 minutes")]
    [InlineData("0 */2 * * *", "UTC", "every 2 hours")]
    [InlineData("30 2 * * *", "America/New_York", "every day at 2:30am")]
    [InlineData("0 12 * * 1#1", "UTC", "every month on the 1st monday at noon")]
    [InlineData("0 17 * * 5L", "UTC", "every month on the last friday at 5pm")]
    [InlineData("0 0 1 1 *", "UTC", "every year on january 1st at midnight")]
    [InlineData("@weekly", "UTC", "every sunday at midnight")]
    [InlineData("@hourly", "UTC", "every hour")]
    [InlineData("0 9,17 * * 6,0", "UTC", "every weekend at 9am and 5pm")]
    [InlineData("*/30 9-16 * * 1-5", "UTC", "every 30 minutes between 9am and 5pm on weekdays")]
    [InlineData("0 0 L * *", "UTC", "every month on the last day at midnight")]
    [InlineData("*/10 * * * * *", "UTC", "every 10 seconds")]
    [InlineData("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;BYHOUR=9;BYMINUTE=34;BYSECOND=0", "America/New_York", "every 2 weeks on tuesday at 9:34am starting 2025-01-14")]
    [InlineData("DTSTART;TZID=America/New_York:20250107T093400\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "America/New_York", "every 2 weeks on tuesday at 9:34am starting 2025-01-07")]
    [InlineData("DTSTART:20250101T000400Z\nRRULE:FREQ=MINUTELY;INTERVAL=7", "UTC", "every 7 minutes starting 2025-01-01 at 12:04am")]
    [InlineData("DTSTART:20250102T090000Z\nRRULE:FREQ=DAILY;COUNT=3", "UTC", "every day at 9am starting 2025-01-02 for 3 times")]
    [InlineData("DTSTART:20250102T090000Z\nRRULE:FREQ=DAILY;UNTIL=20250110", "UTC", "every day at 9am starting 2025-01-02 until 2025-01-10")]
    [InlineData("DTSTART:20250115T090000Z\nRRULE:FREQ=MONTHLY;INTERVAL=3", "UTC", "every 3 months on the 15th at 9am starting 2025-01-15")]
    [InlineData("DTSTART:20250106T090000Z\nRRULE:FREQ=MONTHLY;BYDAY=2TH,4TH", "Europe/Berlin", "every month on the 2nd and 4th thursday at 10am starting 2025-01-09")]
    [InlineData("DTSTART:20250704T120000Z\nRRULE:FREQ=YEARLY", "UTC", "every year on july 4th at noon starting 2025-07-04")]
    [InlineData("2026-01-05T14:30:00Z", "Europe/Berlin", "on 2026-01-05 at 3:30pm")]
    public void Describe_WritesCronAndRRuleInTheGrammar_AndTheWordsReadBack(string expression, string zone, string description)
    {
        var from = Anchor(zone);
        var trigger = TriggerFactory.Create(TriggerKind.Detect, expression, zone, from);

        Assert.Equal(description, trigger.Describe());
        var reread = TriggerFactory.Read(TriggerKind.Text, description, zone, from); // "until …", "for N times": the task's end
        Assert.Equal(Fires.Next(trigger, from, 20), Fires.Next(reread, from, 20));
    }

    [Theory]
    [InlineData("5-10 * * * *", "whenever cron '5-10 * * * *' matches")]
    [InlineData("0 9 13 * 5", "whenever cron '0 9 13 * 5' matches")]
    public void Describe_SaysTheCronLiterally_WhenTheGrammarCannotSayIt(string expression, string description)
    {
        Assert.Equal(description, TriggerFactory.Create(TriggerKind.Cron, expression, "UTC", Anchor("UTC")).Describe());
    }

    [Fact]
    public void Create_KeepsThePhaseOfTheStart_WhenIntervalDoesNotDivideTheDay()
    {
        // "every 90 minutes" from 10:30:20 counts from 10:31 (the start rounded up to the minute); "every 15 minutes" is on the clock's quarters.
        var from = Fires.Instant("2025-01-01T10:30:20Z");

        Assert.Equal(["2025-01-01T10:31:00+00:00", "2025-01-01T12:01:00+00:00"], Fires.Next(TriggerFactory.Create(TriggerKind.Text, "every 90 minutes", "UTC", from), from, 2));
        Assert.Equal(["2025-01-01T10:45:00+00:00", "2025-01-01T11:00:00+00:00"], Fires.Next(TriggerFactory.Create(TriggerKind.Text, "every 15 minutes", "UTC", from), from, 2));
    }

    [Fact]
    public void Create_FiresAtStartOfDay_WhenCalendarPhraseHasNoTime()
    {
        var from = Anchor("America/New_York");

        Assert.Equal(["2025-01-06T00:00:00-05:00"], Fires.Next(TriggerFactory.Create(TriggerKind.Text, "every monday", "America/New_York", from), from, 1));
        Assert.Equal(["2025-02-01T00:00:00-05:00"], Fires.Next(TriggerFactory.Create(TriggerKind.Text, "monthly", "America/New_York", from), from, 1));
    }

    [Fact]
    public void Examples_OfferedInRejections_AllParse()
    {
        foreach (var example in Core.Triggers.Phrases.PhraseGrammar.Examples)
        {
            Assert.NotNull(TriggerFactory.Create(TriggerKind.Detect, example, "UTC", Anchor("UTC")));
        }
    }

    [Fact]
    public void Create_ThrowsOnlyTriggerFormatException_ForAnyMixOfTheGrammarsWords()
    {
        // 5,000 phrases of 1 to 8 words drawn (fixed seed) from the grammar's words, numbers, times, dates and punctuation: each is accepted or
        // rejected with a TriggerFormatException, never another exception (which would fail a ScheduleTask consumer instead of answering it).
        string[] words =
        [
            "every", "other", "each", "daily", "hourly", "weekly", "fortnightly", "monthly", "quarterly", "yearly", "at", "on", "in", "of", "the",
            "and", ",", "between", "from", "to", "-", "except", "starting", "until", "for", "times", "once", "twice", "a", "an", "half", "quarter",
            "second", "minute", "mins", "hour", "hrs", "day", "days", "week", "weeks", "fortnight", "month", "year", "monday", "fri", "weekdays",
            "weekend", "january", "dec", "first", "2nd", "last", "31st", "0", "1", "5", "13", "24", "60", "100001", "9am", "12pm", "17:00", "9.30",
            "noon", "midnight", "9", "am", "pm", "o'clock", "2026-01-05", "2026-02-30", "tomorrow", "today", "next", "this", "now", "1.5", "morning",
        ];
        var random = new Random(9);
        var from = Anchor("America/New_York");
        for (var i = 0; i < 5_000; i++)
        {
            var phrase = string.Join(' ', Enumerable.Range(0, random.Next(1, 9)).Select(_ => words[random.Next(words.Length)]));
            try
            {
                var trigger = TriggerFactory.Create(TriggerKind.Text, phrase, "America/New_York", from);
                Fires.Next(trigger, from, 3);
                TriggerFactory.Create(TriggerKind.Detect, trigger.Describe(), "America/New_York", from);
            }
            catch (TriggerFormatException)
            {
            }
            catch (Exception ex)
            {
                Assert.Fail($"'{phrase}' threw {ex.GetType().Name}: {ex.Message}");
            }
        }
    }

    private static DateTimeOffset Anchor(string zone) => WallClock.ToInstant(Start, TimeZones.Find(zone));

    private static List<string[]> Rows(string table) =>
        table.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(" | ", StringSplitOptions.TrimEntries)).ToList();

    private static List<string> Suggestions(string message) =>
        [.. SuggestionPattern().Matches(message[message.IndexOf(" Try ", StringComparison.Ordinal)..]).Select(m => m.Groups[1].Value)];

    [GeneratedRegex("'([^']+)'")]
    private static partial Regex SuggestionPattern();
}
