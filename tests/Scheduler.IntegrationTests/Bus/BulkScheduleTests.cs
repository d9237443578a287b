using MassTransit;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Xunit.Abstractions;

namespace Scheduler.IntegrationTests.Bus;

/// <summary>A bulk <see cref="ScheduleTasks"/> command over RabbitMQ: its tasks are stored on PostgreSQL, fire, reach a worker and complete.</summary>
public sealed class BulkScheduleTests(BusEnvironmentFixture environment, ITestOutputHelper output) : BusTest(output), IClassFixture<BusEnvironmentFixture>
{
    [Fact]
    public async Task ScheduleTasks_TasksFireAndCompleteThroughTheSaga()
    {
        await using var bus = new BusServices(environment, Output);
        await bus.StartClientAsync();
        // The tests' short lease (3 s): 300 tasks due within 3 s on a busy 2-core box must still go out once each (the node renews a lease
        // that runs low before it sends, and keeps a sent claim until its dispatch is recorded).
        await bus.StartNodeAsync("node-a");
        await bus.StartWorkerAsync("worker-a");
        var firstFire = Once.FromNow(TimeSpan.FromSeconds(2));
        // 300 execute-once tasks 10 ms apart, without task ids: the node derives them from the message id and the index.
        var command = new ScheduleTasks
        {
            Tasks = Enumerable.Range(0, 300).Select(i => Once.At(firstFire.AddMilliseconds(10 * i)) with { TaskId = null }).ToList(),
        };

        var response = await bus.BulkClient.GetResponse<TasksScheduled, TasksRejected>(command);

        Assert.True(response.Is(out Response<TasksScheduled>? reply), "the bulk command is accepted");
        var results = reply!.Message.Results;
        Assert.Equal(300, results.Count);
        Assert.All(results, r => Assert.False(r.Scheduled!.AlreadyScheduled));
        Assert.Equal(command.Tasks.Select((_, i) => firstFire.AddMilliseconds(10 * i)), results.Select(r => r.Scheduled!.NextFireTime!.Value));
        var taskIds = results.Select(r => r.Scheduled!.TaskId).ToList();
        Assert.Equal(300, taskIds.Distinct().Count());
        foreach (var taskId in taskIds)
        {
            var completed = await bus.WaitForInstanceAsync(taskId, i => i.Status == TaskInstanceState.Completed, $"task {taskId} completes");
            Assert.True(completed.CompletedAt >= completed.FireTime, $"task {taskId} completed at {completed.CompletedAt:O}, before {completed.FireTime:O}");
            Assert.True(bus.Recorder.Receipts(taskId)[0].ReceivedAt >= completed.FireTime, $"task {taskId} reached the worker before its fire time");
        }

        await bus.StopAllAsync(); // the node finishes and records what it sends: nothing can arrive after this
        Assert.All(taskIds, taskId => Assert.Single(bus.Recorder.Receipts(taskId)));
        Assert.Equal(300, bus.Ledger.Records.Count); // each dispatched once
    }
}
