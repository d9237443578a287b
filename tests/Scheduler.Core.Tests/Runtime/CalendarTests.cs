using Scheduler.Contracts;
using Scheduler.Core.Definitions;

namespace Scheduler.Core.Tests.Runtime;

/// <summary>
/// Issue #23, item 5, on fake time over the in-memory store (the same over PostgreSQL and RabbitMQ: Scheduler.IntegrationTests'
/// CalendarBusTests): a task that names a calendar skips the occurrences it excludes and records each as Skipped, naming the calendar; a
/// change of the calendar replans the tasks that name it; a phrase names one with "except …". The fixture's clock starts on Wednesday
/// 2025-01-01 12:00Z.
/// </summary>
public sealed class CalendarTests : IDisposable
{
    private readonly LoopFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public async Task AnExcludedOccurrence_IsSkippedAndRecorded_TheOthersRun()
    {
        await _f.Scheduling.SetCalendarAsync(new SetCalendar { Name = "holidays", Dates = ["2025-01-02"] });
        var task = await _f.ScheduleAsync(new ScheduleTask { Trigger = "0 9 * * *", Calendar = "holidays" });

        await RunAroundAsync(At(2, 9));
        await RunAroundAsync(At(3, 9));

        var instances = await _f.Store.GetInstancesAsync(task);
        var skipped = Assert.Single(instances, i => i.FireTime == At(2, 9));
        Assert.Equal((TaskInstanceState.Skipped, (DateTimeOffset?)null), (skipped.Status, skipped.DispatchedAt));
        Assert.Equal("Excluded by calendar 'holidays': date 2025-01-02.", skipped.LastError);
        Assert.Equal([At(3, 9)], _f.Dispatcher.Dispatched.Where(d => d.Message.TaskId == task).Select(d => d.Message.FireTime));
        Assert.Equal("holidays", (await _f.Scheduling.GetAsync(task))!.Calendar);
    }

    [Fact]
    public async Task Phrase_NamesTheCalendar_WithExcept_AlongsideExcludedDays()
    {
        await _f.Scheduling.SetCalendarAsync(new SetCalendar { Name = "holidays", Dates = ["2025-01-06"] });

        var reply = await _f.Scheduling.ScheduleAsync(new ScheduleTask { Trigger = "every day at 9am except weekends and holidays", MaxOccurrences = 3 });
        var task = (await _f.Scheduling.GetAsync(reply.TaskId))!;

        // Thursday 2, Friday 3, (weekend), Monday 6 excluded by the calendar, Tuesday 7: excluded occurrences do not count.
        Assert.Equal(("0 9 * * 1-5", "holidays", At(7, 9)), (task.Trigger, task.Calendar, task.LastFireTime));
        var unknown = await Assert.ThrowsAsync<TaskValidationException>(() =>
            _f.Scheduling.ScheduleAsync(new ScheduleTask { Trigger = "every day at 9am except holidayz" }));
        Assert.Contains("Calendar 'holidayz' does not exist. Create it first", unknown.Message, StringComparison.Ordinal);
        var both = await Assert.ThrowsAsync<TaskValidationException>(() =>
            _f.Scheduling.ScheduleAsync(new ScheduleTask { Trigger = "every day at 9am except holidays", Calendar = "closures" }));
        Assert.Contains("Calendar 'closures' and the trigger's calendar", both.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChangingTheCalendar_ReplansTheTasksThatNameIt_ThroughTheTakeBackOfAnUpdate()
    {
        await _f.Scheduling.SetCalendarAsync(new SetCalendar { Name = "quiet", Dates = ["2030-01-01"] });
        var task = await _f.ScheduleAsync(new ScheduleTask { Trigger = "* * * * * *", Calendar = "quiet", Overlap = OverlapPolicy.AllowAll });
        var other = await _f.ScheduleAsync(new ScheduleTask { Trigger = "* * * * * *", Overlap = OverlapPolicy.AllowAll });
        await _f.SchedulerLoop.RunOnceAsync(); // 12:00:00 … 12:00:10 planned, none excluded
        Assert.DoesNotContain(await _f.Store.GetInstancesAsync(task), i => i.Status == TaskInstanceState.Skipped);

        var changed = await _f.Scheduling.SetCalendarAsync(new SetCalendar { Name = "quiet", Cron = ["*/2 * * * * *"] });
        await _f.SchedulerLoop.RunOnceAsync();

        Assert.Equal((true, 1, 2L), (changed.Changed, changed.TasksReplanned, changed.Calendar.Version));
        var instances = await _f.Store.GetInstancesAsync(task);
        Assert.Equal(11, instances.Count);
        Assert.All(instances, i => Assert.Equal(i.FireTime.Second % 2 == 0 ? TaskInstanceState.Skipped : TaskInstanceState.Scheduled, i.Status));
        Assert.DoesNotContain(await _f.Store.GetInstancesAsync(other), i => i.Status == TaskInstanceState.Skipped); // names no calendar
        var again = await _f.Scheduling.SetCalendarAsync(new SetCalendar { Name = "quiet", Cron = ["*/2 * * * * *"] });
        Assert.Equal((false, 0), (again.Changed, again.TasksReplanned));
    }

    [Fact]
    public async Task DeletingACalendar_IsRefusedWhileATaskNamesIt()
    {
        await _f.Scheduling.SetCalendarAsync(new SetCalendar { Name = "holidays", Dates = ["2025-12-25"], Description = "company holidays" });
        var task = await _f.ScheduleAsync(new ScheduleTask { Trigger = "0 9 * * *", Calendar = "holidays" });

        var refused = await Assert.ThrowsAsync<TaskValidationException>(() => _f.Scheduling.DeleteCalendarAsync("holidays"));
        Assert.Contains($"Calendar 'holidays' is named by task {task}", refused.Message, StringComparison.Ordinal);
        Assert.Equal("company holidays", Assert.Single((await _f.Scheduling.ListCalendarsAsync()).Calendars).Description);

        var removed = await _f.Scheduling.UpdateAsync(new UpdateTask { TaskId = task, Calendar = "" });
        var deleted = await _f.Scheduling.DeleteCalendarAsync("holidays");

        Assert.Null(removed!.Task.Calendar);
        Assert.Equal((true, false), (deleted.Found, (await _f.Scheduling.DeleteCalendarAsync("holidays")).Found));
        Assert.Null(await _f.Scheduling.GetCalendarAsync("holidays"));
    }

    [Theory]
    [InlineData("Holidays", "Calendar name 'Holidays' is not valid")]
    [InlineData("holidays", "The calendar excludes nothing")]
    public async Task SetCalendar_RejectsABadNameOrAnEmptyCalendar(string name, string reason)
    {
        var ex = await Assert.ThrowsAsync<TaskValidationException>(() => _f.Scheduling.SetCalendarAsync(new SetCalendar { Name = name }));

        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.Empty((await _f.Scheduling.ListCalendarsAsync()).Calendars);
    }

    private static DateTimeOffset At(int day, int hour) => new(2025, 1, day, hour, 0, 0, TimeSpan.Zero);

    // From a few seconds before the fire time to a second after it: planned, claimed, dispatched or recorded as skipped.
    private async Task RunAroundAsync(DateTimeOffset fireTime)
    {
        _f.Time.Advance(fireTime.AddSeconds(-5) - _f.Time.GetUtcNow());
        for (var second = 0; second < 7; second++)
        {
            await _f.TickAsync();
            _f.Time.Advance(TimeSpan.FromSeconds(1));
        }
    }
}
