using System.Globalization;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;

namespace Scheduler.MassTransit.Tests;

/// <summary>The runner records a dispatch after publishing it, so a fast worker's outcome can reach the saga before or during that record.</summary>
public class RaceTests
{
    private static readonly TimeSpan GateTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task FailureProcessedBeforeTheDispatchRecord_KeepsTheRetryOnItsBackoff()
    {
        GatedStore? store = null;
        await using var f = await BusFixture.StartAsync(inner => store = new GatedStore(inner)
        {
            BeforeFirstRecordDispatches = () => store!.Updated.Task.WaitAsync(GateTimeout), // the saga's retry decision lands first
        });
        var scheduled = Assert.IsType<TaskScheduled>(await f.ScheduleAsync(new ScheduleTask
        {
            Trigger = BusFixture.Start.ToString("O", CultureInfo.InvariantCulture),
            Metadata = new Dictionary<string, string> { ["behavior"] = "fail-once" },
            Retry = new RetryPolicy { InitialBackoff = TimeSpan.FromSeconds(2), Jitter = false },
        }));
        await store!.Recorded.Task.WaitAsync(GateTimeout);

        var retrying = Assert.Single(await f.Store.GetInstancesAsync(scheduled.TaskId));
        Assert.Equal(TaskInstanceState.Scheduled, retrying.Status); // the late record did not turn it back into Dispatched
        Assert.Equal(BusFixture.Start.AddSeconds(2), retrying.DueAt);
        Assert.Null(retrying.LeaseOwner);

        f.Time.Advance(TimeSpan.FromSeconds(2));
        var completed = await f.WaitForInstanceAsync(scheduled.TaskId, i => i.Status == TaskInstanceState.Completed);
        Assert.Equal(2, completed.Attempt);
    }

    [Fact]
    public async Task DispatchRecordedWhileTheSagaSavesACompletion_TheCompletionWins()
    {
        GatedStore? store = null;
        await using var f = await BusFixture.StartAsync(inner => store = new GatedStore(inner)
        {
            BeforeFirstUpdate = () => store!.Recorded.Task.WaitAsync(GateTimeout), // the saga loaded the row before the record, saves after it
        });
        var scheduled = Assert.IsType<TaskScheduled>(await f.ScheduleAsync(new ScheduleTask
        {
            Trigger = BusFixture.Start.ToString("O", CultureInfo.InvariantCulture),
        }));

        var completed = await f.WaitForInstanceAsync(scheduled.TaskId, i => i.Status == TaskInstanceState.Completed);

        Assert.Equal(BusFixture.Start, completed.CompletedAt);
        Assert.Equal(BusFixture.Start, completed.DispatchedAt); // the record landed first; the completion's fence accepts Dispatched: no merge
        Assert.Null(completed.DueAt);
        Assert.Null(completed.LeaseOwner);
    }
}
