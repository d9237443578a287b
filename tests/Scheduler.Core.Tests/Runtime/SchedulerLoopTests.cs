using System.Globalization;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;

namespace Scheduler.Core.Tests.Runtime;

public class SchedulerLoopTests
{
    [Fact]
    public async Task RunOnce_CreatesEveryOccurrenceInTheWindow_WhenCronPeriodIsShorterThanTheWindow()
    {
        using var f = new LoopFixture();
        var taskId = await f.ScheduleAsync(new ScheduleTask { Trigger = "*/2 * * * * *" });

        Assert.Equal(6, await f.SchedulerLoop.RunOnceAsync()); // the start itself is an occurrence: fire times at or after StartAt

        var fireTimes = (await f.Store.GetInstancesAsync(taskId)).Select(i => i.FireTime);
        Assert.Equal([0, 2, 4, 6, 8, 10], fireTimes.Select(t => (int)(t - LoopFixture.Start).TotalSeconds));
        Assert.Equal(LoopFixture.Start.AddSeconds(12), (await f.Store.GetDefinitionAsync(taskId))!.NextFireTime);
    }

    [Fact]
    public async Task RunOnce_CreatesNothingTwice_WhenTwoNodesRunTheSameTick()
    {
        using var a = new LoopFixture(nodeId: "a");
        using var b = new LoopFixture(nodeId: "b", store: a.Store, time: a.Time);
        var taskId = await a.ScheduleAsync(new ScheduleTask { Trigger = "*/5 * * * * *" });

        await Task.WhenAll(a.SchedulerLoop.RunOnceAsync(), b.SchedulerLoop.RunOnceAsync());
        a.Time.Advance(TimeSpan.FromSeconds(7));
        await Task.WhenAll(b.SchedulerLoop.RunOnceAsync(), a.SchedulerLoop.RunOnceAsync());

        var fireTimes = (await a.Store.GetInstancesAsync(taskId)).Select(i => (int)(i.FireTime - LoopFixture.Start).TotalSeconds);
        Assert.Equal([0, 5, 10, 15], fireTimes);
    }

    [Fact]
    public async Task RunOnce_FinishesAnExecuteOnceDefinition_AfterItsInstanceIsCreated()
    {
        using var f = new LoopFixture();
        var taskId = await f.ScheduleAsync(new ScheduleTask { Trigger = LoopFixture.Start.AddSeconds(3).ToString("O", CultureInfo.InvariantCulture) });

        await f.SchedulerLoop.RunOnceAsync();
        await f.SchedulerLoop.RunOnceAsync();

        Assert.Single(await f.Store.GetInstancesAsync(taskId));
        Assert.Null((await f.Store.GetDefinitionAsync(taskId))!.NextFireTime);
    }

    [Theory]
    // Down from 12:00:00 to 12:10:00 with a per-minute cron: of the fire times 12:00..12:10, all but 12:09 and 12:10 are older than the
    // 1-minute misfire threshold (hand-computed). FireOnce coalesces the misfires into one instance at the first missed fire time.
    [InlineData(MisfirePolicy.FireAll, new[] { 0, 60, 120, 180, 240, 300, 360, 420, 480, 540, 600 })]
    [InlineData(MisfirePolicy.FireOnce, new[] { 0, 540, 600 })]
    [InlineData(MisfirePolicy.Skip, new[] { 540, 600 })]
    public async Task RunOnce_AppliesMisfirePolicy_AfterDowntime(MisfirePolicy policy, int[] expectedSeconds)
    {
        using var f = new LoopFixture();
        var taskId = await f.ScheduleAsync(new ScheduleTask { Trigger = "* * * * *", Misfire = policy });

        f.Time.Advance(TimeSpan.FromMinutes(10)); // no node ran meanwhile
        await f.SchedulerLoop.RunOnceAsync();

        var fireTimes = (await f.Store.GetInstancesAsync(taskId)).Select(i => (int)(i.FireTime - LoopFixture.Start).TotalSeconds);
        Assert.Equal(expectedSeconds, fireTimes);
        Assert.Equal(LoopFixture.Start.AddMinutes(11), (await f.Store.GetDefinitionAsync(taskId))!.NextFireTime);
    }

    [Fact]
    public async Task RunOnce_LosesNoOccurrence_WhenMoreAreDueThanOneTickCreates()
    {
        using var f = new LoopFixture(o => o.MaxOccurrencesPerTick = 3);
        var taskId = await f.ScheduleAsync(new ScheduleTask { Trigger = "* * * * * *" });

        await f.SchedulerLoop.RunOnceAsync();
        await f.SchedulerLoop.RunOnceAsync();
        await f.SchedulerLoop.RunOnceAsync();
        await f.SchedulerLoop.RunOnceAsync();

        var fireTimes = (await f.Store.GetInstancesAsync(taskId)).Select(i => (int)(i.FireTime - LoopFixture.Start).TotalSeconds);
        Assert.Equal(Enumerable.Range(0, 11), fireTimes);
    }

    [Fact]
    public async Task Cancel_StopsFiringAndCancelsUnclaimedInstances()
    {
        using var f = new LoopFixture();
        var taskId = await f.ScheduleAsync(new ScheduleTask { Trigger = "*/5 * * * * *" });
        await f.SchedulerLoop.RunOnceAsync();

        var cancelled = await f.Scheduling.CancelAsync(taskId);
        f.Time.Advance(TimeSpan.FromSeconds(30));
        await f.TickAsync();

        Assert.True(cancelled.Found);
        Assert.False((await f.Scheduling.CancelAsync(taskId)).Found);
        Assert.All(await f.Store.GetInstancesAsync(taskId), i => Assert.Equal(TaskInstanceState.Cancelled, i.Status));
        Assert.Empty(f.Dispatcher.Dispatched);
    }

    [Fact]
    public async Task Cleanup_DeletesFinishedInstancesAndDefinitions_AfterRetention()
    {
        using var f = new LoopFixture(o => o.Retention = TimeSpan.FromHours(1));
        var taskId = await f.ScheduleAsync(new ScheduleTask { Trigger = LoopFixture.Start.ToString("O", CultureInfo.InvariantCulture) });
        await f.TickAsync();
        var instance = await f.SingleInstanceAsync(taskId);
        Assert.Equal([true], await f.Store.ApplyOutcomesAsync([new InstanceOutcome(instance.Id, instance.Attempt, OutcomeKind.Completed, f.Time.GetUtcNow())]));

        f.Time.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(new(0, 0), await f.Cleanup.RunOnceAsync());
        f.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(new(1, 1), await f.Cleanup.RunOnceAsync());
        Assert.Null(await f.Store.GetDefinitionAsync(taskId));
    }
}

public class SchedulerLoopPoisonTests
{
    /// <summary>A stored definition that cannot be planned (written before validation tightened, or changed by hand) must not stop the
    /// other definitions of its batch: it is ended, and the rest are planned.</summary>
    [Theory]
    [InlineData(TriggerKind.Once, "1960-01-01T00:00:00Z")]      // fire time before the Unix epoch: no UUIDv7 instance id
    [InlineData(TriggerKind.Cron, "not a cron expression")]     // unreadable trigger
    [InlineData(TriggerKind.RRule, "FREQ=YEARLY;INTERVAL=9000")] // its next fire time is past the end of the calendar
    public async Task RunOnce_PlansTheOtherDefinitions_WhenOneCannotBePlanned(TriggerKind kind, string trigger)
    {
        using var f = new LoopFixture(o => o.MaterializeBatchSize = 2);
        var poisoned = new TaskDefinition
        {
            Id = Guid.CreateVersion7(),
            TriggerKind = kind,
            Trigger = trigger,
            TimeZoneId = "UTC",
            StartAt = LoopFixture.Start.AddYears(-1),
            Metadata = new Dictionary<string, string>(),
            ExpireAfter = TimeSpan.FromMinutes(5),
            Retry = RetryPolicy.Default,
            CreatedAt = LoopFixture.Start.AddYears(-1),
            NextFireTime = kind == TriggerKind.Once ? DateTimeOffset.Parse(trigger, CultureInfo.InvariantCulture) : LoopFixture.Start.AddYears(-1),
        };
        await f.Store.AddDefinitionAsync(poisoned);
        var healthy = await f.ScheduleAsync(new ScheduleTask { Trigger = "*/5 * * * * *" });

        await f.SchedulerLoop.RunOnceAsync();
        await f.SchedulerLoop.RunOnceAsync();

        Assert.Equal(3, (await f.Store.GetInstancesAsync(healthy)).Count);
        Assert.Null((await f.Store.GetDefinitionAsync(poisoned.Id))!.NextFireTime);
    }
}
