using System.Text.RegularExpressions;
using Scheduler.Contracts;

namespace Scheduler.Triggers.Tests;

/// <summary>The English phrase grammar, table-driven from <see cref="PhraseTable"/>.</summary>
public partial class PhraseGrammarTests
{
        [Fact]
    public void Table_HasAtLeast150Phrases_AndEveryPhraseOfTheIssue()
    {
        var accepted = PhraseTable.Rows(PhraseTable.Accepted).Select(r => r[0]).ToList();
        var rejected = PhraseTable.Rows(PhraseTable.Rejected).Select(r => r[0]).ToList();

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
    [MemberData(nameof(PhraseTable.AcceptedRows), MemberType = typeof(PhraseTable))]
    public void Describe_ParsesBackToTheSameSchedule(string phrase, string zone, string normalized, string fires)
    {
        var from = PhraseTable.Start(zone);
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
    [MemberData(nameof(PhraseTable.RejectedRows), MemberType = typeof(PhraseTable))]
    public void Create_RejectsNamingTheWordsAndSuggesting_WhenPhraseIsNotUnderstood(string phrase, string reason, string suggestion)
    {
        var ex = Assert.Throws<TriggerFormatException>(() => TriggerFactory.Create(TriggerKind.Text, phrase, "UTC", PhraseTable.Start("UTC")));

        Assert.StartsWith($"Could not understand the trigger '{phrase}': ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        var suggested = Suggestions(ex.Message);
        Assert.Contains(suggestion, suggested);
        Assert.InRange(suggested.Count, 1, 3);
        foreach (var each in suggested)
        {
            TriggerFactory.Create(TriggerKind.Text, each, "UTC", PhraseTable.Start("UTC")); // every suggestion parses
        }
    }

    [Theory]
    [InlineData("5-10 * * * *", "whenever cron '5-10 * * * *' matches")]
    [InlineData("0 9 13 * 5", "whenever cron '0 9 13 * 5' matches")]
    public void Describe_SaysTheCronLiterally_WhenTheGrammarCannotSayIt(string expression, string description)
    {
        Assert.Equal(description, TriggerFactory.Create(TriggerKind.Cron, expression, "UTC", PhraseTable.Start("UTC")).Describe());
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
        var from = PhraseTable.Start("America/New_York");

        Assert.Equal(["2025-01-06T00:00:00-05:00"], Fires.Next(TriggerFactory.Create(TriggerKind.Text, "every monday", "America/New_York", from), from, 1));
        Assert.Equal(["2025-02-01T00:00:00-05:00"], Fires.Next(TriggerFactory.Create(TriggerKind.Text, "monthly", "America/New_York", from), from, 1));
    }

    [Fact]
    public void Examples_OfferedInRejections_AllParse()
    {
        foreach (var example in Phrases.PhraseGrammar.Examples)
        {
            Assert.NotNull(TriggerFactory.Create(TriggerKind.Detect, example, "UTC", PhraseTable.Start("UTC")));
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
        var from = PhraseTable.Start("America/New_York");
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

    private static List<string> Suggestions(string message) =>
        [.. SuggestionPattern().Matches(message[message.IndexOf(" Try ", StringComparison.Ordinal)..]).Select(m => m.Groups[1].Value)];

    [GeneratedRegex("'([^']+)'")]
    private static partial Regex SuggestionPattern();
}
