using System.Globalization;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Runtime;

namespace Scheduler.Core.Tests.Runtime;

/// <summary>
/// Issue #23, item 6: an optional per-task jitter window spreads a task's occurrences: each is due at its fire time plus a delay drawn from
/// (task, fire time) within the window, never before its fire time, the same on every planning; lateness is measured from the delayed time.
/// On fake time over the in-memory store.
/// </summary>
public sealed class JitterTests : IDisposable
{
    private readonly LoopFixture _f = new();
    private readonly MetricRecorder _metrics;

    public JitterTests() => _metrics = new MetricRecorder(_f.MeterFactory);

    public void Dispose()
    {
        _metrics.Dispose();
        _f.Dispose();
    }

    /// <summary>10,000 tasks on <c>* * * * *</c> with a 60 s window: their delays cover the minute about evenly (ids fixed, so the
    /// counts are fixed), never negative, never the whole window.</summary>
    [Fact]
    public void Delay_SpreadsManyTasksOnOneScheduleAcrossTheWindow()
    {
        var fire = new DateTimeOffset(2025, 1, 1, 12, 1, 0, TimeSpan.Zero);
        var window = TimeSpan.FromSeconds(60);
        var perTenSeconds = new int[6];
        for (var n = 0; n < 10_000; n++)
        {
            var delay = OccurrenceJitter.Delay(TaskId(n), fire, window, fire.AddMinutes(1));
            Assert.InRange(delay, TimeSpan.Zero, window - TimeSpan.FromMilliseconds(1));
            Assert.Equal(0, delay.Ticks % TimeSpan.TicksPerMillisecond);
            perTenSeconds[(int)(delay.TotalSeconds / 10)]++;
        }

        // Uniform would be 1,667 each; a well-mixed hash stays within a few percent of that (binomial sd ≈ 37).
        Assert.All(perTenSeconds, count => Assert.InRange(count, 1_500, 1_833));
    }

    [Fact]
    public void Delay_IsTheSameForTheSameOccurrence_DiffersBetweenOccurrences_AndIsCappedAtTheNextFireTime()
    {
        var task = TaskId(7);
        var fire = new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
        var window = TimeSpan.FromMinutes(10);

        Assert.Equal(OccurrenceJitter.Delay(task, fire, window, null), OccurrenceJitter.Delay(task, fire, window, null));
        Assert.NotEqual(OccurrenceJitter.Delay(task, fire, window, null), OccurrenceJitter.Delay(task, fire.AddMinutes(1), window, null));
        Assert.NotEqual(OccurrenceJitter.Delay(task, fire, window, null), OccurrenceJitter.Delay(TaskId(8), fire, window, null));
        Assert.All(Enumerable.Range(0, 500), n =>
            Assert.InRange(OccurrenceJitter.Delay(TaskId(n), fire, window, fire.AddSeconds(2)), TimeSpan.Zero, TimeSpan.FromMilliseconds(1999)));
        Assert.Equal(TimeSpan.Zero, OccurrenceJitter.Delay(task, fire, null, null));
        Assert.Equal(TimeSpan.Zero, OccurrenceJitter.Delay(task, fire, window, fire.AddTicks(5)));
    }

    [Fact]
    public async Task Occurrences_AreDueAtTheirFireTimePlusTheirDelay_DispatchedNotBefore_AndLatenessCountsFromThen()
    {
        var jitter = TimeSpan.FromSeconds(30);
        // AllowAll: no worker completes the runs here, and the default overlap policy would skip the later occurrences.
        var taskId = await _f.ScheduleAsync(new ScheduleTask { Trigger = "* * * * *", Jitter = jitter, Overlap = OverlapPolicy.AllowAll });
        Assert.Equal(jitter, (await _f.Store.GetDefinitionAsync(taskId))!.Jitter);

        // Two minutes of fake time, a second at a time: each occurrence is dispatched at its delayed due time, to the second.
        for (var second = 0; second < 125; second++)
        {
            await _f.TickAsync();
            _f.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var instances = (await _f.Store.GetInstancesAsync(taskId)).Where(i => i.DispatchedAt is not null).ToList();
        Assert.InRange(instances.Count, 2, 3); // 12:00 and 12:01, and 12:02 if its delay is under 5 s
        foreach (var instance in instances)
        {
            Assert.Equal(0, instance.FireTime.Second); // the nominal fire time stays the trigger's
            Assert.Equal(OccurrenceJitter.Delay(taskId, instance.FireTime, jitter, instance.FireTime.AddMinutes(1)), instance.Jitter);
            var due = instance.FireTime + instance.Jitter;
            var message = _f.Dispatcher.Dispatched.Single(d => d.Message.InstanceId == instance.Id).Message;
            Assert.Equal((instance.FireTime, due), (message.FireTime, message.DueAt));
            Assert.InRange(instance.DispatchedAt!.Value, due, due.AddSeconds(1)); // never before the delayed time, within one tick after it
        }

        Assert.NotEqual(instances[0].Jitter, instances[1].Jitter);
        Assert.All(_metrics.Values("scheduler.dispatch.lateness"), lateness => Assert.InRange(lateness, 0, 1)); // seconds from the delayed time
    }

    [Fact]
    public async Task TheClusterViewsLateness_CountsFromTheDelayedDueTime()
    {
        var jitter = TimeSpan.FromSeconds(50);
        var taskId = await _f.ScheduleAsync(new ScheduleTask { Trigger = "* * * * *", Jitter = jitter });
        for (var second = 0; second < 65; second++)
        {
            await _f.TickAsync();
            _f.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var dispatched = Assert.Single(await _f.Store.GetInstancesAsync(taskId), i => i.DispatchedAt is not null);
        var view = await _f.Scheduling.GetClusterViewAsync(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5));
        var bucket = Assert.Single(view.Activity, b => b.Dispatched > 0);
        Assert.Equal((dispatched.DispatchedAt!.Value - dispatched.FireTime - dispatched.Jitter).TotalMilliseconds, bucket.MaxLatenessMs);
    }

    [Theory]
    [InlineData("-00:00:01", "Jitter -00:00:01 is out of range")]
    [InlineData("1.00:00:01", "Jitter 1.00:00:01 is out of range")]
    [InlineData("00:00:00.0005", "Jitter 00:00:00.0005000 has a fraction of a millisecond")]
    public async Task Jitter_OutOfRange_IsRejectedNamingIt(string jitter, string reason)
    {
        var ex = await Assert.ThrowsAsync<TaskValidationException>(() =>
            _f.Scheduling.ScheduleAsync(new ScheduleTask { Trigger = "* * * * *", Jitter = TimeSpan.Parse(jitter, CultureInfo.InvariantCulture) }));

        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateTask_WithANewJitter_PlansTheOccurrencesNotYetBegunAgainWithIt_AndZeroRemovesIt()
    {
        var taskId = await _f.ScheduleAsync(new ScheduleTask { Trigger = "* * * * * *", Jitter = TimeSpan.FromMilliseconds(900) });
        await _f.SchedulerLoop.RunOnceAsync();
        Assert.Contains(await _f.Store.GetInstancesAsync(taskId), i => i.Jitter > TimeSpan.Zero);

        var changed = await _f.Scheduling.UpdateAsync(new UpdateTask { TaskId = taskId, Jitter = TimeSpan.Zero });
        await _f.SchedulerLoop.RunOnceAsync();

        Assert.Null(changed!.Task.Jitter);
        Assert.All(await _f.Store.GetInstancesAsync(taskId), i => Assert.Equal((TimeSpan.Zero, i.FireTime), (i.Jitter, i.DueAt!.Value)));
    }

    private static Guid TaskId(int n) => new(n, 0x2323, 0x7000, [0x80, 0, 0, 0, 0, 0, 0, 0]);
}
