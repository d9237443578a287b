using System.Globalization;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.MassTransit.Saga;

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
        Assert.Equal(TaskInstanceStatus.Scheduled, retrying.Status); // the late record did not turn it back into Dispatched
        Assert.Equal(BusFixture.Start.AddSeconds(2), retrying.DueAt);
        Assert.Null(retrying.LeaseOwner);

        f.Time.Advance(TimeSpan.FromSeconds(2));
        var completed = await f.WaitForInstanceAsync(scheduled.TaskId, i => i.Status == TaskInstanceStatus.Completed);
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

        var completed = await f.WaitForInstanceAsync(scheduled.TaskId, i => i.Status == TaskInstanceStatus.Completed);

        Assert.Equal(BusFixture.Start, completed.CompletedAt);
        Assert.Equal(BusFixture.Start, completed.DispatchedAt); // the runner's record is kept under the outcome
        Assert.Null(completed.DueAt);
        Assert.Null(completed.LeaseOwner);
    }

    private static TaskInstance Claimed() => new()
    {
        Id = Guid.NewGuid(),
        DefinitionId = Guid.NewGuid(),
        FireTime = BusFixture.Start,
        Status = TaskInstanceStatus.Scheduled,
        Attempt = 1,
        DueAt = BusFixture.Start,
        ExpireAfter = TimeSpan.FromMinutes(5),
        Retry = RetryPolicy.Default,
        LeaseOwner = "node-a",
        LeaseExpiresAt = BusFixture.Start.AddSeconds(30),
        Version = 2,
    };

    private static TaskInstance Recorded(TaskInstance loaded)
    {
        var fresh = loaded.Clone();
        fresh.Status = TaskInstanceStatus.Dispatched;
        fresh.DispatchedAt = BusFixture.Start;
        fresh.DueAt = BusFixture.Start.AddMinutes(5);
        fresh.LeaseOwner = null;
        fresh.LeaseExpiresAt = null;
        fresh.Version = 3;
        return fresh;
    }

    [Fact]
    public void MergeOverDispatchRecord_KeepsTheRecordsStatus_WhenTheSagaOnlyNotedAStart()
    {
        var loaded = Claimed();
        var saga = loaded.Clone();
        saga.StartedAt = BusFixture.Start.AddSeconds(1);

        var merged = TaskStoreSagaRepositoryContext<TaskStarted>.MergeOverDispatchRecord(loaded, saga, Recorded(loaded))!;

        Assert.Equal(TaskInstanceStatus.Dispatched, merged.Status);
        Assert.Equal(BusFixture.Start.AddMinutes(5), merged.DueAt);
        Assert.Equal(BusFixture.Start.AddSeconds(1), merged.StartedAt);
        Assert.Equal(3, merged.Version);
    }

    [Fact]
    public void MergeOverDispatchRecord_TakesTheSagasRetry_WhenItStayedScheduled()
    {
        var loaded = Claimed();
        var saga = loaded.Clone();
        saga.DueAt = BusFixture.Start.AddSeconds(2);
        saga.LeaseOwner = null;
        saga.LeaseExpiresAt = null;
        saga.LastError = "boom";

        var merged = TaskStoreSagaRepositoryContext<TaskFailed>.MergeOverDispatchRecord(loaded, saga, Recorded(loaded))!;

        Assert.Equal(TaskInstanceStatus.Scheduled, merged.Status);
        Assert.Equal(BusFixture.Start.AddSeconds(2), merged.DueAt);
        Assert.Null(merged.LeaseOwner);
        Assert.Equal("boom", merged.LastError);
    }

    [Fact]
    public void MergeOverDispatchRecord_RefusesAnyOtherConcurrentChange()
    {
        var loaded = Claimed();
        var saga = loaded.Clone();
        saga.Status = TaskInstanceStatus.Completed;
        var reclaimed = Recorded(loaded);
        reclaimed.Attempt = 2; // another node claimed the next attempt meanwhile

        Assert.Null(TaskStoreSagaRepositoryContext<TaskCompleted>.MergeOverDispatchRecord(loaded, saga, reclaimed));
    }
}
