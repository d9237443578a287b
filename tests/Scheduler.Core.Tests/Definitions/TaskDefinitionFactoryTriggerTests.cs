using Scheduler.Contracts;
using Scheduler.Core.Definitions;

namespace Scheduler.Core.Tests.Definitions;

public class TaskDefinitionFactoryTriggerTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 5, 0, 0, TimeSpan.Zero); // Wed 2025-01-01 00:00 in New York

    [Theory]
    // trigger, kind, stored kind, first fire time; source
    [InlineData("every other tuesday at 9:34am", TriggerKind.Text, TriggerKind.RRule, "2025-01-07T14:34:00Z")] // issue #4 example; stored as its RRULE
    [InlineData("every other tuesday at 9:34am", TriggerKind.Detect, TriggerKind.RRule, "2025-01-07T14:34:00Z")] // issue #4 example
    [InlineData("every weekday at 9am", TriggerKind.Detect, TriggerKind.Cron, "2025-01-01T14:00:00Z")] // stored as its cron; 2025-01-01 is a Wednesday
    [InlineData("FREQ=WEEKLY;BYDAY=TU;BYHOUR=9;BYMINUTE=34;BYSECOND=0", TriggerKind.RRule, TriggerKind.RRule, "2025-01-07T14:34:00Z")] // hand-computed
    [InlineData("FREQ=DAILY", TriggerKind.Detect, TriggerKind.RRule, "2025-01-01T05:00:00Z")] // RFC 5545: DTSTART (= StartAt) is the first instance
    [InlineData("in 2 hours", TriggerKind.Detect, TriggerKind.Once, "2025-01-01T07:00:00Z")] // hand-computed
    [InlineData("0 9 * * *", TriggerKind.Detect, TriggerKind.Cron, "2025-01-01T14:00:00Z")] // hand-computed: 09:00 EST
    public void Create_SchedulesFirstFire_ForEveryTriggerKind(string trigger, TriggerKind kind, TriggerKind storedKind, string first)
    {
        var definition = TaskDefinitionFactory.Create(new ScheduleTask { Trigger = trigger, TriggerKind = kind, TimeZone = "America/New_York" }, Now);

        Assert.Equal(storedKind, definition.TriggerKind);
        Assert.Equal(DateTimeOffset.Parse(first, System.Globalization.CultureInfo.InvariantCulture), definition.NextFireTime);
        Assert.Equal("America/New_York", definition.TimeZoneId);
    }

    [Fact]
    public void Create_StoresTheNormalizedFormAndThePhrase_WhenTriggerIsAPhrase()
    {
        var definition = TaskDefinitionFactory.Create(new ScheduleTask { Trigger = "Every Other Tuesday at 9:34am", TimeZone = "America/New_York" }, Now);

        Assert.Equal(TriggerKind.RRule, definition.TriggerKind);
        Assert.Equal("DTSTART;TZID=America/New_York:20250107T093400\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", definition.Trigger);
        Assert.Equal("every other tuesday at 9:34am", definition.TriggerPhrase);

        // The stored form rebuilds the same schedule from any anchor, without the phrase (a later grammar cannot move it).
        var rebuilt = Triggers.TriggerFactory.Create(definition.TriggerKind, definition.Trigger, definition.TimeZoneId, Now.AddYears(3));
        Assert.Equal(definition.NextFireTime, rebuilt.GetNextFireTime(Now));
    }

    [Theory]
    [InlineData("every other tuesday at 9:34am")] // RRULE whose DTSTART depends on when it is scheduled
    [InlineData("every 7 minutes")]
    [InlineData("in 90 minutes")] // one-shot: an instant counted from then
    public void FindConflict_SeesARepeat_WhenTheSamePhraseIsScheduledLater(string phrase)
    {
        var command = new ScheduleTask { Trigger = phrase, TimeZone = "America/New_York", IdempotencyKey = "k" };
        var stored = TaskDefinitionFactory.Create(command, Now);
        var repeat = TaskDefinitionFactory.Create(command, Now.AddMinutes(3));
        var changed = TaskDefinitionFactory.Create(command with { Trigger = "every other monday at 9:34am" }, Now.AddMinutes(3));

        Assert.Null(TaskDefinitionFactory.FindConflict(stored, repeat, command));
        Assert.Contains($"different Trigger: stored '{phrase}', this command 'every other monday at 9:34am'",
            TaskDefinitionFactory.FindConflict(stored, changed, command with { Trigger = "every other monday at 9:34am" }), StringComparison.Ordinal);
    }

    [Fact]
    public void Create_StoresNoPhrase_WhenTriggerIsNotAPhrase()
    {
        Assert.Null(TaskDefinitionFactory.Create(new ScheduleTask { Trigger = "0 9 * * *" }, Now).TriggerPhrase);
    }

    [Fact]
    public void Create_Rejects_WhenPhraseIsNotUnderstood()
    {
        var ex = Assert.Throws<TaskValidationException>(() =>
            TaskDefinitionFactory.Create(new ScheduleTask { Trigger = "every blue moon", TriggerKind = TriggerKind.Text }, Now));

        Assert.Contains("'blue', 'moon'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_Rejects_WhenRRuleHasEnded()
    {
        var ex = Assert.Throws<TaskValidationException>(() =>
            TaskDefinitionFactory.Create(new ScheduleTask { Trigger = "DTSTART:20200101T000000Z RRULE:FREQ=DAILY;COUNT=2" }, Now));

        Assert.Contains("never fires", ex.Message, StringComparison.Ordinal);
    }
}
