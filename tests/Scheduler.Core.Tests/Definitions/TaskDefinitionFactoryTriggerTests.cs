using Scheduler.Contracts;
using Scheduler.Core.Definitions;

namespace Scheduler.Core.Tests.Definitions;

public class TaskDefinitionFactoryTriggerTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 5, 0, 0, TimeSpan.Zero); // Wed 2025-01-01 00:00 in New York

    [Theory]
    // trigger, kind, stored kind, first fire time; source
    [InlineData("every other tuesday at 9:34am", TriggerKind.Text, TriggerKind.Text, "2025-01-07T14:34:00Z")] // issue #4 example
    [InlineData("every other tuesday at 9:34am", TriggerKind.Detect, TriggerKind.Text, "2025-01-07T14:34:00Z")] // issue #4 example
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
