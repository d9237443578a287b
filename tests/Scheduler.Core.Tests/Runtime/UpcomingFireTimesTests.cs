using Microsoft.Extensions.Time.Testing;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;

namespace Scheduler.Core.Tests.Runtime;

/// <summary>Issue #20, item 3: a task's next fire time and its upcoming fire times as the task detail view gives them
/// (<see cref="Core.Runtime.SchedulingService.GetDetailAsync"/>), on fake time.</summary>
public sealed class UpcomingFireTimesTests
{
    private static readonly DateTimeOffset Friday = new(2025, 3, 28, 0, 0, 0, TimeSpan.Zero); // Berlin moves to summer time on Sunday the 30th

    private static DateTimeOffset At(int day, int hourUtc) => new(2025, day < 10 ? 4 : 3, day, hourUtc, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Upcoming_ArePlannedOccurrences_ThenTheTriggers_InTheTasksZone_WithinItsEnd_LessWhatItsCalendarExcludes()
    {
        using var f = new LoopFixture(o => o.ExecutionWindow = TimeSpan.FromDays(2), time: new FakeTimeProvider(Friday));
        await f.Scheduling.SetCalendarAsync(new SetCalendar { Name = "holidays", Dates = ["2025-03-31"] });
        var task = await f.ScheduleAsync(new ScheduleTask
        {
            Trigger = "0 9 * * *", TimeZone = "Europe/Berlin", Calendar = "holidays", EndAt = new DateTimeOffset(2025, 4, 3, 12, 0, 0, TimeSpan.Zero),
        });
        await f.SchedulerLoop.RunOnceAsync(); // plans Friday's and Saturday's 9:00 (CET, 08:00 UTC); the cursor is Sunday's (CEST, 07:00 UTC)
        Assert.Equal(At(30, 7), (await f.Store.GetDefinitionAsync(task))!.NextFireTime);

        var detail = (await f.Scheduling.GetDetailAsync(task, 10))!;

        // Monday the 31st is a holiday; Thursday 3 April is the last before the end.
        Assert.Equal([At(28, 8), At(29, 8), At(30, 7), At(1, 7), At(2, 7), At(3, 7)], detail.UpcomingFireTimes);
        Assert.Equal(At(28, 8), detail.NextFireTime);
        Assert.Equal([At(28, 8), At(29, 8)], (await f.Scheduling.GetDetailAsync(task, 2))!.UpcomingFireTimes);
        Assert.Null((await f.Scheduling.GetDetailAsync(task, 0))!.UpcomingFireTimes);

        // Once Friday's has fired, Saturday's is next.
        f.Time.SetUtcNow(At(28, 8));
        Assert.Equal([At(29, 8), At(30, 7), At(1, 7)], (await f.Scheduling.GetDetailAsync(task, 3))!.UpcomingFireTimes);
        Assert.Equal(At(29, 8), (await f.Scheduling.GetAsync(task))!.NextFireTime);
    }

    [Fact]
    public async Task Upcoming_OfAPausedTask_AreNone_AndACountOutOfRangeIsRefused()
    {
        using var f = new LoopFixture();
        var task = await f.ScheduleAsync(new ScheduleTask { Trigger = "*/5 * * * * *" });
        await f.SchedulerLoop.RunOnceAsync();
        Assert.Equal(5, (await f.Scheduling.GetDetailAsync(task, 5))!.UpcomingFireTimes!.Count);

        await f.Scheduling.PauseAsync(task);
        var paused = (await f.Scheduling.GetDetailAsync(task, 5))!;

        Assert.Equal((TaskState.Paused, null, 0), (paused.State, paused.NextFireTime, paused.UpcomingFireTimes!.Count));
        var tooMany = await Assert.ThrowsAsync<TaskValidationException>(() => f.Scheduling.GetDetailAsync(task, 51));
        Assert.Equal("Upcoming 51 is out of range: ask for 0 to 50 upcoming fire times, e.g. upcoming=5.", tooMany.Message);
        await Assert.ThrowsAsync<TaskValidationException>(() => f.Scheduling.GetDetailAsync(task, -1));
        Assert.Null(await f.Scheduling.GetDetailAsync(Guid.NewGuid(), 5));
    }
}
