using Microsoft.Extensions.DependencyInjection;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;

namespace Scheduler.MassTransit.Tests;

public class NaturalLanguageTests
{
    [Fact]
    public async Task PhraseTask_FiresThroughTheBus_AtTheFirstOccurrenceOfThePhrase()
    {
        await using var f = await BusFixture.StartAsync();

        // The fixture's clock starts on Wednesday 2025-01-01 12:00Z; the first "other tuesday" is 2025-01-07, 09:34 EST = 14:34Z (issue #4's example).
        var scheduled = Assert.IsType<TaskScheduled>(await f.ScheduleAsync(new ScheduleTask
        {
            Trigger = "every other tuesday at 9:34am",
            TimeZone = "America/New_York",
        }));
        var firstFire = new DateTimeOffset(2025, 1, 7, 14, 34, 0, TimeSpan.Zero);
        Assert.Equal(firstFire, scheduled.NextFireTime);

        f.Time.Advance(firstFire - BusFixture.Start - TimeSpan.FromSeconds(5));
        await BusFixture.Eventually(() => f.Runner.HeldCount == 1, "the occurrence is claimed inside the execution window");
        f.Time.Advance(TimeSpan.FromSeconds(5));
        var instance = await f.WaitForInstanceAsync(scheduled.TaskId, i => i.Status == TaskInstanceState.Completed);

        Assert.Equal(firstFire, instance.FireTime);
        Assert.Equal(firstFire, Assert.Single(f.ConsumedTaskDue(scheduled.TaskId)).FireTime);
        Assert.Equal(firstFire.AddDays(14), (await f.Store.GetDefinitionAsync(scheduled.TaskId))!.NextFireTime);
    }

    [Theory]
    // Phrases of issue #9 through ScheduleTask; the fixture's clock starts on Wednesday 2025-01-01 12:00Z (07:00 in New York), and a fire time
    // at the start itself counts (hourly, every 5 min).
    // phrase, zone, first fire time (UTC), stored kind, stored expression (RRULE lines joined by " / ")
    [InlineData("hourly", "UTC", "2025-01-01T12:00:00Z", TriggerKind.Cron, "0 * * * *")]
    [InlineData("every 5 min", "UTC", "2025-01-01T12:00:00Z", TriggerKind.Cron, "*/5 * * * *")]
    [InlineData("daily at 9am", "America/New_York", "2025-01-01T14:00:00Z", TriggerKind.Cron, "0 9 * * *")]
    [InlineData("at 9am every day", "Europe/Berlin", "2025-01-02T08:00:00Z", TriggerKind.Cron, "0 9 * * *")]
    [InlineData("every day at 9am and 5pm", "UTC", "2025-01-01T17:00:00Z", TriggerKind.Cron, "0 9,17 * * *")]
    [InlineData("weekly on monday", "UTC", "2025-01-06T00:00:00Z", TriggerKind.Cron, "0 0 * * 1")]
    [InlineData("every 2 hours between 9am and 5pm", "UTC", "2025-01-01T13:00:00Z", TriggerKind.Cron, "0 9-17/2 * * *")]
    [InlineData("fortnightly on friday at 9am", "UTC", "2025-01-03T09:00:00Z", TriggerKind.RRule, "DTSTART:20250103T090000Z / RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=FR")]
    [InlineData("at noon on weekdays", "America/New_York", "2025-01-01T17:00:00Z", TriggerKind.Cron, "0 12 * * 1-5")]
    [InlineData("tomorrow at 8", "UTC", "2025-01-02T08:00:00Z", TriggerKind.Once, "2025-01-02T08:00:00Z")]
    [InlineData("next friday at noon", "UTC", "2025-01-03T12:00:00Z", TriggerKind.Once, "2025-01-03T12:00:00Z")]
    [InlineData("in 90 minutes", "UTC", "2025-01-01T13:30:00Z", TriggerKind.Once, "2025-01-01T13:30:00Z")]
    public async Task Phrase_IsScheduledAsItsNormalizedForm(string phrase, string zone, string first, TriggerKind kind, string expression)
    {
        await using var f = await BusFixture.StartAsync();

        var scheduled = Assert.IsType<TaskScheduled>(await f.ScheduleAsync(new ScheduleTask { Trigger = phrase, TimeZone = zone }));
        var stored = (await f.Store.GetDefinitionAsync(scheduled.TaskId))!;

        Assert.Equal(DateTimeOffset.Parse(first, System.Globalization.CultureInfo.InvariantCulture), scheduled.NextFireTime);
        Assert.Equal(kind, stored.TriggerKind);
        Assert.Equal(expression, stored.Trigger.Replace("\n", " / ", StringComparison.Ordinal));
        Assert.Equal(phrase, stored.TriggerPhrase);
    }

    /// <summary>Issue #23, item 3: a phrase people read in two ways is scheduled with the reading the docs name, and the reply (and an update's)
    /// says which.</summary>
    [Fact]
    public async Task PhraseWithTwoReadings_IsScheduled_AndTheRepliesStateTheReadingTaken()
    {
        await using var f = await BusFixture.StartAsync();

        // Wednesday 2025-01-01 12:00Z: this week's Friday, not next week's.
        var scheduled = Assert.IsType<TaskScheduled>(await f.ScheduleAsync(new ScheduleTask { Trigger = "next friday at noon" }));
        Assert.Equal(new DateTimeOffset(2025, 1, 3, 12, 0, 0, TimeSpan.Zero), scheduled.NextFireTime);
        Assert.StartsWith("'next friday' is read as Friday 2025-01-03, the first Friday after 2025-01-01", Assert.Single(scheduled.Readings!), StringComparison.Ordinal);
        Assert.Null(Assert.IsType<TaskScheduled>(await f.ScheduleAsync(new ScheduleTask { Trigger = "every day at 9am" })).Readings);

        var scheduling = f.Services.GetRequiredService<Core.Runtime.SchedulingService>();
        var updated = await scheduling.UpdateAsync(new UpdateTask { TaskId = scheduled.TaskId, Trigger = "every 2 weeks" });
        Assert.Equal(BusFixture.Start, updated!.Task.NextFireTime); // the phase of the update's time, the task's new start
        Assert.Contains(updated.Readings!, r => r.StartsWith("The phrase names no day of the week, so 'every 2 weeks' keeps the phase", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WindowPhrase_FiresThroughTheBus_WithinItsWindowOnly()
    {
        await using var f = await BusFixture.StartAsync();

        var scheduled = Assert.IsType<TaskScheduled>(await f.ScheduleAsync(new ScheduleTask { Trigger = "every 2 hours between 9am and 1pm" }));
        var first = new DateTimeOffset(2025, 1, 2, 9, 0, 0, TimeSpan.Zero); // 12:00Z has passed 9 and 11; 13:00 is the window's last
        Assert.Equal(BusFixture.Start.AddHours(1), scheduled.NextFireTime);

        // One jump of an hour, past the node's liveness timeout (10 minutes in the fixture): the node records a sign of life at the new time
        // and claims at once, as a process frozen that long does.
        f.Time.Advance(TimeSpan.FromHours(1) - TimeSpan.FromSeconds(5));
        await BusFixture.Eventually(() => f.Runner.HeldCount == 1, "the 13:00 occurrence is claimed inside the execution window");
        f.Time.Advance(TimeSpan.FromSeconds(5));
        var instance = await f.WaitForInstanceAsync(scheduled.TaskId, i => i.Status == TaskInstanceState.Completed);

        Assert.Equal(BusFixture.Start.AddHours(1), instance.FireTime);
        Assert.Equal(first, (await f.Store.GetDefinitionAsync(scheduled.TaskId))!.NextFireTime);
    }

    [Fact]
    public async Task UnknownPhrase_IsRejectedNamingTheWordsAndSuggestingPhrasings()
    {
        await using var f = await BusFixture.StartAsync();

        var rejected = Assert.IsType<TaskRejected>(await f.ScheduleAsync(new ScheduleTask { Trigger = "whenever the moon is full" }));
        var ambiguous = Assert.IsType<TaskRejected>(await f.ScheduleAsync(new ScheduleTask { Trigger = "twice a day" }));

        Assert.Contains("whenever the moon is full", rejected.Reason, StringComparison.Ordinal);
        Assert.Contains("'whenever', 'moon', 'is', 'full' are not understood", rejected.Reason, StringComparison.Ordinal);
        Assert.Contains("Try '", rejected.Reason, StringComparison.Ordinal);
        Assert.Contains("'every day at 9am and 9pm'", ambiguous.Reason, StringComparison.Ordinal);
    }
}
