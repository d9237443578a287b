using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Triggers.Tests;

namespace Scheduler.Core.Tests.Runtime;

/// <summary>
/// Issue #23, item 4: EndAt and MaxOccurrences end every kind of trigger (and the phrases "until …", "for …", "N times"); a task past its end
/// plans nothing more and is Finished, which the reply and the task's view show. On fake time over the in-memory store; the fixture's clock
/// starts on Wednesday 2025-01-01 12:00Z.
/// </summary>
public sealed class EndConditionTests : IDisposable
{
    private readonly LoopFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public async Task MaxOccurrences_EndsACron_AfterItsLastOccurrence_WhichTheReplyNames()
    {
        var reply = await _f.Scheduling.ScheduleAsync(new ScheduleTask { Trigger = "*/2 * * * * *", MaxOccurrences = 3, Overlap = OverlapPolicy.AllowAll });

        Assert.Equal((3, LoopFixture.Start.AddSeconds(4)), (reply.MaxOccurrences, reply.LastFireTime)); // 12:00:00, :02, :04
        await RunForAsync(TimeSpan.FromSeconds(20));

        Assert.Equal([0, 2, 4], (await _f.Store.GetInstancesAsync(reply.TaskId)).Select(i => i.FireTime.Second));
        var task = (await _f.Scheduling.GetAsync(reply.TaskId))!;
        Assert.Equal((TaskState.Finished, (DateTimeOffset?)null, 3), (task.State, task.NextFireTime, task.MaxOccurrences));
        Assert.Equal(3, _f.Dispatcher.Dispatched.Count(d => d.Message.TaskId == reply.TaskId));
    }

    [Theory]
    [InlineData("*/5 * * * * *", TriggerKind.Cron)]
    [InlineData("FREQ=SECONDLY;INTERVAL=5", TriggerKind.RRule)]
    [InlineData("every 5 seconds", TriggerKind.Text)]
    public async Task EndAt_EndsEveryKind_AtItsLastFireTimeNotAfterIt(string trigger, TriggerKind kind)
    {
        var end = LoopFixture.Start.AddSeconds(12); // fire times at :00, :05, :10; :15 is past it
        var reply = await _f.Scheduling.ScheduleAsync(new ScheduleTask { Trigger = trigger, TriggerKind = kind, EndAt = end, Overlap = OverlapPolicy.AllowAll });
        await RunForAsync(TimeSpan.FromSeconds(30));

        Assert.Equal([0, 5, 10], (await _f.Store.GetInstancesAsync(reply.TaskId)).Select(i => i.FireTime.Second));
        Assert.Equal((TaskState.Finished, (DateTimeOffset?)end), ((await _f.Scheduling.GetAsync(reply.TaskId))!.State, reply.EndAt));
    }

    [Fact]
    public async Task EndAt_OfAOneOffTask_BeforeItsInstant_IsRejected_AndAfterIt_FiresOnce()
    {
        var at = LoopFixture.Start.AddMinutes(5);
        var ex = await Assert.ThrowsAsync<TaskValidationException>(() =>
            _f.Scheduling.ScheduleAsync(LoopFixture.Once(TimeSpan.FromMinutes(5)) with { EndAt = at.AddSeconds(-1) }));
        Assert.Contains("after the task's end, EndAt 2025-01-01T12:04:59.0000000+00:00: it would never fire", ex.Message, StringComparison.Ordinal);

        var reply = await _f.Scheduling.ScheduleAsync(LoopFixture.Once(TimeSpan.FromMinutes(5)) with { EndAt = at, MaxOccurrences = 1 });
        Assert.Equal((at, at), (reply.NextFireTime, reply.LastFireTime));
    }

    [Theory]
    // phrase | EndAt (UTC) or none | MaxOccurrences or none | the fire times (seconds after 12:00) a task started at 12:00:00 has
    [InlineData("every 15 seconds until 12:01pm", "2025-01-01T12:01:00Z", null, "0 15 30 45 60")]
    [InlineData("every 5 seconds for 12 seconds", "2025-01-01T12:00:11.999Z", null, "0 5 10")]
    [InlineData("every 5 seconds 4 times", null, 4, "0 5 10 15")]
    [InlineData("every 5 seconds for 2 times", null, 2, "0 5")]
    [InlineData("every 20 seconds for a minute", "2025-01-01T12:00:59.999Z", null, "0 20 40")]
    public async Task Phrase_GivesTheEnd_AndTheTaskEndsThere(string phrase, string? endAt, int? times, string seconds)
    {
        var reply = await _f.Scheduling.ScheduleAsync(new ScheduleTask { Trigger = phrase, Overlap = OverlapPolicy.AllowAll });
        await RunForAsync(TimeSpan.FromSeconds(75));

        Assert.Equal(endAt is null ? null : Fires.Instant(endAt), reply.EndAt);
        Assert.Equal(times, reply.MaxOccurrences);
        Assert.Equal(seconds.Split(' ').Select(int.Parse), await FireSecondsAsync(reply.TaskId));
        Assert.Equal(TaskState.Finished, (await _f.Scheduling.GetAsync(reply.TaskId))!.State);
    }

    [Theory]
    [InlineData("every day at 9am until 2025-02-01", "2025-03-01T00:00:00Z", null, "EndAt 2025-03-01T00:00:00.0000000+00:00 and the trigger's end")]
    [InlineData("every day at 9am 5 times", null, 6, "MaxOccurrences 6 and the trigger's '5 times'")]
    [InlineData("every day at 9am", null, 0, "MaxOccurrences 0 is out of range")]
    [InlineData("every day at 9am", null, 100_001, "MaxOccurrences 100001 is out of range")]
    [InlineData("every day at 9am", "9999-01-01T00:00:00Z", null, "EndAt 9999-01-01T00:00:00.0000000+00:00 is outside the supported range")]
    [InlineData("every day at 9am", "2024-12-31T00:00:00Z", null, "after the task's end")]
    public async Task ConflictingOrOutOfRangeEnds_AreRejected_NamingThem(string trigger, string? endAt, int? max, string reason)
    {
        var ex = await Assert.ThrowsAsync<TaskValidationException>(() => _f.Scheduling.ScheduleAsync(new ScheduleTask
        {
            Trigger = trigger, EndAt = endAt is null ? null : Fires.Instant(endAt), MaxOccurrences = max,
        }));

        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    /// <summary>MaxOccurrences counts the trigger's occurrences from the task's start, as RRULE's COUNT does: those its misfire policy
    /// skips count too.</summary>
    [Fact]
    public async Task MaxOccurrences_CountsFromTheStart_SkippedMisfiresIncluded()
    {
        var reply = await _f.Scheduling.ScheduleAsync(new ScheduleTask
        {
            Trigger = "* * * * * *", StartAt = LoopFixture.Start.AddMinutes(-2), MaxOccurrences = 150, Misfire = MisfirePolicy.Skip,
            Overlap = OverlapPolicy.AllowAll,
        });
        Assert.Equal(LoopFixture.Start.AddSeconds(29), reply.LastFireTime); // 11:58:00 + 149 s
        await RunForAsync(TimeSpan.FromSeconds(40));

        var fireTimes = (await _f.Store.GetInstancesAsync(reply.TaskId)).Select(i => i.FireTime).ToList();
        Assert.Equal(LoopFixture.Start.AddMinutes(-1), fireTimes.Min()); // older ones were misfires, skipped (threshold 1 minute)
        Assert.Equal(LoopFixture.Start.AddSeconds(29), fireTimes.Max());
        Assert.Equal(90, fireTimes.Count);
    }

    [Fact]
    public async Task UpdateTask_MovingTheEndEarlier_TakesBackWhatIsPast_AndLaterResumesAFinishedTask()
    {
        var reply = await _f.Scheduling.ScheduleAsync(new ScheduleTask { Trigger = "* * * * * *", EndAt = LoopFixture.Start.AddSeconds(8), Overlap = OverlapPolicy.AllowAll });
        await RunForAsync(TimeSpan.FromSeconds(2)); // 12:00:00 … 12:00:02 dispatched; up to 12:00:08 planned (the execution window is 10 s)
        Assert.Equal(9, (await _f.Store.GetInstancesAsync(reply.TaskId)).Count);

        var earlier = await _f.Scheduling.UpdateAsync(new UpdateTask { TaskId = reply.TaskId, EndAt = LoopFixture.Start.AddSeconds(4) });
        await RunForAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(LoopFixture.Start.AddSeconds(4), earlier!.Task.EndAt);
        Assert.Equal([0, 1, 2, 3, 4], await FireSecondsAsync(reply.TaskId)); // the ones past the new end were taken back, not run
        Assert.Equal(TaskState.Finished, (await _f.Scheduling.GetAsync(reply.TaskId))!.State);

        // No end, but 2 occurrences from the start: both have passed, so the task stays finished.
        var limited = await _f.Scheduling.UpdateAsync(new UpdateTask { TaskId = reply.TaskId, EndAt = DateTimeOffset.MaxValue, MaxOccurrences = 2 });
        Assert.Equal((TaskState.Finished, (DateTimeOffset?)null, 2), (limited!.Task.State, limited.Task.EndAt, limited.Task.MaxOccurrences));
        Assert.Equal(LoopFixture.Start.AddSeconds(1), limited.Task.LastFireTime);

        // No limit at all: the finished task continues from its first fire time at or after the update.
        var now = _f.Time.GetUtcNow();
        var resumed = await _f.Scheduling.UpdateAsync(new UpdateTask { TaskId = reply.TaskId, MaxOccurrences = 0 });
        Assert.Equal((TaskState.Active, (DateTimeOffset?)now), (resumed!.Task.State, resumed.Task.NextFireTime));
        await RunForAsync(TimeSpan.FromSeconds(2));
        Assert.Equal([0, 1, 2, 3, 4, 9, 10, 11], await FireSecondsAsync(reply.TaskId)); // resumed at 12:00:09
    }

    private async Task<List<int>> FireSecondsAsync(Guid taskId) =>
        [.. (await _f.Store.GetInstancesAsync(taskId)).Where(i => i.DispatchedAt is not null).Select(i => (int)(i.FireTime - LoopFixture.Start).TotalSeconds)];

    private async Task RunForAsync(TimeSpan span)
    {
        for (var elapsed = TimeSpan.Zero; elapsed <= span; elapsed += TimeSpan.FromSeconds(1))
        {
            await _f.TickAsync();
            _f.Time.Advance(TimeSpan.FromSeconds(1));
        }
    }
}
