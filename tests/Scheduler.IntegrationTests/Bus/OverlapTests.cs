using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Xunit.Abstractions;

namespace Scheduler.IntegrationTests.Bus;

/// <summary>
/// Issue #10, item 4: an every-second task whose handler runs 2.5 s, under each overlap policy, over real RabbitMQ and PostgreSQL.
/// Runs are the instances' [dispatched, completed] intervals as recorded in the database.
/// </summary>
public sealed class OverlapTests(BusEnvironmentFixture environment, ITestOutputHelper output) : BusTest(output), IClassFixture<BusEnvironmentFixture>
{
    private static ScheduleTask EverySecond(OverlapPolicy overlap) => new()
    {
        DestinationQueue = BusServices.WorkerQueue,
        Trigger = "* * * * * *",
        Overlap = overlap,
        Metadata = new Dictionary<string, string> { ["behavior"] = "sleep-2500ms" },
    };

    [Fact]
    public async Task Skip_RunsOneAtATime_AndRecordsTheOccurrencesItSkips()
    {
        var instances = await RunAsync(OverlapPolicy.Skip, enough: all => all.Count(i => i.Status == TaskInstanceState.Completed) >= 2
            && all.Any(i => i.Status == TaskInstanceState.Skipped));

        AssertNoOverlap(instances);
        var skipped = instances.First(i => i.Status == TaskInstanceState.Skipped);
        Assert.Contains("Skipped by overlap policy Skip", skipped.LastError, StringComparison.Ordinal);
        Assert.Null(skipped.DispatchedAt);
    }

    [Fact]
    public async Task BufferOne_RunsTheWaitingOccurrenceWhenTheActiveOneEnds_AndSkipsTheRest()
    {
        var instances = await RunAsync(OverlapPolicy.BufferOne, enough: all => all.Count(i => i.Status == TaskInstanceState.Completed) >= 3
            && all.Any(i => i.Status == TaskInstanceState.Skipped));

        AssertNoOverlap(instances);
        // A buffered occurrence ran well after its fire time: when the run before it ended.
        Assert.Contains(instances, i => i.Status == TaskInstanceState.Completed && i.DispatchedAt - i.FireTime > TimeSpan.FromSeconds(1));
        Assert.Contains("another occurrence was already waiting", instances.First(i => i.Status == TaskInstanceState.Skipped).LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AllowAll_RunsOccurrencesBesideEachOther()
    {
        var instances = await RunAsync(OverlapPolicy.AllowAll, enough: all => all.Count(i => i.Status == TaskInstanceState.Completed) >= 3);

        Assert.DoesNotContain(instances, i => i.Status == TaskInstanceState.Skipped);
        var runs = Runs(instances);
        Assert.Contains(runs, a => runs.Any(b => b != a && b.Start < a.End && a.Start < b.End));
    }

    private async Task<IReadOnlyList<TaskInstance>> RunAsync(OverlapPolicy overlap, Func<IReadOnlyList<TaskInstance>, bool> enough)
    {
        await using var bus = new BusServices(environment, Output);
        await bus.StartNodeWorkerAndClientAsync();
        var task = await bus.SchedulerClient.ScheduleAsync(EverySecond(overlap));
        IReadOnlyList<TaskInstance> instances = [];
        await Wait.UntilAsync(async () => enough(instances = await bus.Store.GetInstancesAsync(task.TaskId)), $"the {overlap} task runs and overlaps");
        await bus.SchedulerClient.CancelAsync(task.TaskId);
        var history = await bus.SchedulerClient.GetInstancesAsync(new GetTaskInstances { TaskId = task.TaskId, State = TaskInstanceState.Skipped });
        Assert.Equal(instances.Any(i => i.Status == TaskInstanceState.Skipped), history.Instances.Count > 0); // visible in the history
        return instances;
    }

    private static List<(DateTimeOffset Start, DateTimeOffset End)> Runs(IEnumerable<TaskInstance> instances) =>
        instances.Where(i => i.Status == TaskInstanceState.Completed).Select(i => (i.DispatchedAt!.Value, i.CompletedAt!.Value)).OrderBy(r => r.Item1).ToList();

    private static void AssertNoOverlap(IEnumerable<TaskInstance> instances)
    {
        var runs = Runs(instances);
        for (var n = 1; n < runs.Count; n++)
        {
            Assert.True(runs[n].Start >= runs[n - 1].End, $"run {n} started at {runs[n].Start:O}, before run {n - 1} ended at {runs[n - 1].End:O}");
        }
    }
}
