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
        var instance = await f.WaitForInstanceAsync(scheduled.TaskId, i => i.Status == TaskInstanceStatus.Completed);

        Assert.Equal(firstFire, instance.FireTime);
        Assert.Equal(firstFire, Assert.Single(f.ConsumedTaskDue(scheduled.TaskId)).FireTime);
        Assert.Equal(firstFire.AddDays(14), (await f.Store.GetDefinitionAsync(scheduled.TaskId))!.NextFireTime);
    }

    [Fact]
    public async Task UnknownPhrase_IsRejectedWithTheSupportedForms()
    {
        await using var f = await BusFixture.StartAsync();

        var rejected = Assert.IsType<TaskRejected>(await f.ScheduleAsync(new ScheduleTask { Trigger = "whenever the moon is full" }));

        Assert.Contains("whenever the moon is full", rejected.Reason, StringComparison.Ordinal);
        Assert.Contains("every other tuesday at 9:34am", rejected.Reason, StringComparison.OrdinalIgnoreCase);
    }
}
