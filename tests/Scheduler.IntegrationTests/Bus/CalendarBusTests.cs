using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Xunit.Abstractions;

namespace Scheduler.IntegrationTests.Bus;

/// <summary>
/// Issue #23, item 5: calendars managed by bus command (<see cref="SetCalendar"/>, <see cref="DeleteCalendar"/>, <see cref="GetCalendar"/>,
/// <see cref="ListCalendars"/>) through <see cref="ISchedulerClient"/>, and the tasks that name them, over real RabbitMQ and PostgreSQL.
/// </summary>
public sealed class CalendarBusTests(BusEnvironmentFixture environment, ITestOutputHelper output) : IClassFixture<BusEnvironmentFixture>
{
    [Fact]
    public async Task ExcludedOccurrences_AreSkippedAndRecorded_AndAChangeOfTheCalendarReplansTheTask()
    {
        await using var bus = new BusServices(environment, output);
        await bus.StartNodeWorkerAndClientAsync();
        var scheduler = bus.SchedulerClient;
        var name = $"seconds-{Guid.NewGuid():N}"[..20];
        var created = await scheduler.SetCalendarAsync(new SetCalendar { Name = name, Cron = ["*/2 * * * * *"], Description = "even seconds" });
        Assert.Equal((true, 1L, 0), (created.Changed, created.Calendar.Version, created.TasksReplanned));

        var task = await scheduler.ScheduleAsync(new ScheduleTask
        {
            DestinationQueue = BusServices.WorkerQueue, Trigger = "* * * * * *", Calendar = name, Overlap = OverlapPolicy.AllowAll,
        });
        Assert.Equal(name, task.Calendar);
        Assert.Equal(name, (await scheduler.GetAsync(task.TaskId))!.Calendar);
        await Wait.UntilAsync(() => Task.FromResult(bus.Recorder.Receipts(task.TaskId).Count >= 3), "three odd seconds run");

        // Every run is at an odd second; every even second is recorded as skipped, naming the calendar and what excluded it.
        Assert.All(bus.Recorder.Receipts(task.TaskId), r => Assert.Equal(1, r.Message.FireTime.Second % 2));
        var skipped = await bus.WaitForInstanceAsync(task.TaskId, i => i.Status == TaskInstanceState.Skipped, "an even second is recorded skipped");
        Assert.Equal(0, skipped.FireTime.Second % 2);
        Assert.Contains($"Excluded by calendar '{name}'", skipped.LastError, StringComparison.Ordinal);
        Assert.Contains("*/2 * * * * *", skipped.LastError, StringComparison.Ordinal);

        // Now odd seconds are excluded: the task's occurrences not yet dispatched are taken back and planned again with the new calendar.
        var changed = await scheduler.SetCalendarAsync(new SetCalendar { Name = name, Cron = ["1-59/2 * * * * *"], Description = "odd seconds" });
        var changedAt = TimeProvider.System.GetUtcNow();
        Assert.Equal((true, 2L, 1), (changed.Changed, changed.Calendar.Version, changed.TasksReplanned));
        // An even second already recorded as skipped within the execution window (5 s here) stays so; the ones after it run.
        var window = TimeSpan.FromSeconds(6);
        await Wait.UntilAsync(() => Task.FromResult(bus.Recorder.Receipts(task.TaskId).Count(r => r.Message.FireTime > changedAt + window) >= 2),
            "even seconds run after the change");
        Assert.All(bus.Recorder.Receipts(task.TaskId).Where(r => r.Message.FireTime > changedAt + TimeSpan.FromSeconds(1)),
            r => Assert.Equal(0, r.Message.FireTime.Second % 2));
        var same = await scheduler.SetCalendarAsync(new SetCalendar { Name = name, Cron = ["1-59/2 * * * * *"], Description = "odd seconds" });
        Assert.Equal((false, 2L, 0), (same.Changed, same.Calendar.Version, same.TasksReplanned));
        Assert.True(await scheduler.CancelAsync(task.TaskId));
    }

    [Fact]
    public async Task Calendars_AreStoredListedAndDeleted_AndNamedByPhrases_AndABadOneIsRefusedWithTheReason()
    {
        await using var bus = new BusServices(environment, output);
        await bus.StartNodeWorkerAndClientAsync();
        var scheduler = bus.SchedulerClient;
        var name = $"holidays_{Guid.NewGuid():N}"[..24];
        await scheduler.SetCalendarAsync(new SetCalendar
        {
            Name = name, TimeZone = "Europe/Berlin", Dates = ["2026-12-25", "2026-12-31..2027-01-01"], RRules = ["FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=1"],
        });

        var stored = await scheduler.GetCalendarAsync(name);
        Assert.NotNull(stored);
        Assert.Equal(("Europe/Berlin", 1L), (stored.TimeZone, stored.Version));
        Assert.Equal(["2026-12-25", "2026-12-31..2027-01-01"], stored.Dates);
        Assert.Equal(["FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=1"], stored.RRules);
        Assert.Contains((await scheduler.ListCalendarsAsync()).Calendars, c => c.Name == name);
        Assert.Null(await scheduler.GetCalendarAsync("no-such-calendar"));

        // A phrase names it; the reply says so.
        var task = await scheduler.ScheduleAsync(new ScheduleTask
        {
            DestinationQueue = BusServices.WorkerQueue, Trigger = $"every weekday at 9am except {name}", TimeZone = "Europe/Berlin",
        });
        Assert.Equal(name, task.Calendar);

        var badName = await Assert.ThrowsAsync<TaskRejectedException>(() => scheduler.SetCalendarAsync(new SetCalendar { Name = "Holidays", Dates = ["2026-12-25"] }));
        var badDate = await Assert.ThrowsAsync<TaskRejectedException>(() => scheduler.SetCalendarAsync(new SetCalendar { Name = name, Dates = ["2026-02-30"] }));
        var missing = await Assert.ThrowsAsync<TaskRejectedException>(() => scheduler.ScheduleAsync(new ScheduleTask
        {
            DestinationQueue = BusServices.WorkerQueue, Trigger = "0 9 * * *", Calendar = "no-such-calendar",
        }));
        var named = await Assert.ThrowsAsync<TaskRejectedException>(() => scheduler.DeleteCalendarAsync(name));
        Assert.Contains("'Holidays'", badName.Message, StringComparison.Ordinal);
        Assert.Contains("2026-02-30", badDate.Message, StringComparison.Ordinal);
        Assert.Contains("Calendar 'no-such-calendar' does not exist", missing.Message, StringComparison.Ordinal);
        Assert.Contains(task.TaskId.ToString(), named.Message, StringComparison.Ordinal);
        Assert.Equal(1L, (await scheduler.GetCalendarAsync(name))!.Version);

        // Once no task names it (the update removes it from the task), it can be deleted.
        var updated = await scheduler.UpdateAsync(new UpdateTask { TaskId = task.TaskId, Trigger = "0 9 * * 1-5", Calendar = "" });
        Assert.Null(updated.Task.Calendar);
        Assert.True(await scheduler.DeleteCalendarAsync(name));
        Assert.False(await scheduler.DeleteCalendarAsync(name));
        Assert.Null(await scheduler.GetCalendarAsync(name));
    }
}
