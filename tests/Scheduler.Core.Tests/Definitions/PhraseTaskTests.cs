using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Triggers;
using Scheduler.Triggers.Tests;

namespace Scheduler.Core.Tests.Definitions;

/// <summary>
/// The phrase table of the trigger tests (<see cref="PhraseTable"/>) as tasks have it: the end a phrase gives ("until …", "N times")
/// applied by <see cref="TaskEnd"/>, the form a task stores, and the readings a scheduling command's reply carries.
/// </summary>
public class PhraseTaskTests
{
    [Theory]
    [MemberData(nameof(PhraseTable.AcceptedRows), MemberType = typeof(PhraseTable))]
    public void Create_NormalizesAndFires_WhenPhraseIsAccepted(string phrase, string zone, string normalized, string fires)
    {
        var from = PhraseTable.Start(zone);
        var parsed = TriggerFactory.Read(TriggerKind.Text, phrase, zone, from);
        var trigger = parsed.Trigger;

        var expression = trigger is TextTrigger text ? text.Normalized.Expression : trigger.Expression;
        Assert.Equal(normalized, expression.Replace("\n", " / ", StringComparison.Ordinal) + Fires.EndSuffix(parsed.EndAt, parsed.MaxOccurrences));
        Assert.Equal(fires.Split(' '), WithEnd(parsed, from, 3));
    }

    [Theory]
    [MemberData(nameof(PhraseTable.AcceptedRows), MemberType = typeof(PhraseTable))]
    public void ScheduleTask_StoresAFormThatFiresTheSame_WithoutThePhraseOrTheAnchor(string phrase, string zone, string normalized, string fires)
    {
        var from = PhraseTable.Start(zone);
        var definition = TaskDefinitionFactory.Create(new ScheduleTask { Trigger = phrase, TimeZone = zone, StartAt = from }, from);

        // What a node rebuilds from the stored row, here with another anchor: the table's fire times, whatever the grammar does later.
        var rebuilt = TriggerFactory.Create(definition.TriggerKind, definition.Trigger, definition.TimeZoneId, from.AddYears(1));
        Assert.NotEqual(TriggerKind.Text, definition.TriggerKind);
        Assert.Equal(normalized, definition.Trigger.Replace("\n", " / ", StringComparison.Ordinal) + Fires.EndSuffix(definition.EndAt, definition.MaxOccurrences));
        Assert.Equal(fires.Split(' '), Fires.Next(rebuilt, from, 3, definition.End.Allows));
        Assert.Equal(TextTrigger.Canonical(phrase), definition.TriggerPhrase);
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
        var from = PhraseTable.Start(zone);
        var trigger = TriggerFactory.Create(TriggerKind.Detect, expression, zone, from);

        Assert.Equal(description, trigger.Describe());
        var reread = TriggerFactory.Read(TriggerKind.Text, description, zone, from); // "until …", "for N times": the task's end
        Assert.Equal(Fires.Next(trigger, from, 20), WithEnd(reread, from, 20));
    }

    [Fact]
    public void ScheduleTask_CollectsTheReadings_ForTheReply()
    {
        var readings = new List<string>();
        var definition = TaskDefinitionFactory.Create(new ScheduleTask { Trigger = "next friday at noon" }, Fires.Instant("2025-01-01T10:30:00Z"), readings: readings);

        Assert.Equal(Fires.Instant("2025-01-03T12:00:00Z"), definition.NextFireTime);
        Assert.StartsWith("'next friday' is read as Friday 2025-01-03", Assert.Single(readings), StringComparison.Ordinal);
    }

    /// <summary>A phrase's fire times as a task that starts at <paramref name="from"/> has them: its end ("until …", "N times") applied.</summary>
    private static string[] WithEnd(ParsedTrigger parsed, DateTimeOffset from, int count) =>
        Fires.Next(parsed.Trigger, from, count, TaskEnd.Of(parsed.Trigger, from, parsed.EndAt, parsed.MaxOccurrences).Allows);
}
