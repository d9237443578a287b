using MassTransit;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Xunit.Abstractions;

namespace Scheduler.IntegrationTests.Bus;

/// <summary>
/// Every task has one recipient by default (issue #11, item 2): a task with a DestinationQueue reaches only the service on that queue; a
/// task with neither destination nor broadcast is rejected, or goes to the node's default queue; broadcast is an opt-in that reaches every
/// subscribing service, and only those that subscribe.
/// </summary>
public sealed class DestinationQueueTests(BusEnvironmentFixture environment, ITestOutputHelper output) : BusTest(output), IClassFixture<BusEnvironmentFixture>
{
    [Fact]
    public async Task TaskWithDestinationQueue_IsConsumedOnlyOnThatQueue_AndABroadcastTaskByEverySubscriberOnly()
    {
        await using var bus = new BusServices(environment, Output);
        var client = await bus.StartNodeWorkerAndClientAsync(); // worker-a: own tasks only, on the worker queue
        await bus.StartWorkerAsync("billing", queue: "billing", ownTasksOnly: false);
        await bus.StartWorkerAsync("audit", queue: "audit", ownTasksOnly: false);
        var fireTime = Once.FromNow(TimeSpan.FromMilliseconds(500));

        var billing = await BusServices.ScheduleAsync(client, Once.At(fireTime) with { DestinationQueue = "billing" });
        var broadcast = await BusServices.ScheduleAsync(client, Once.At(fireTime) with { DestinationQueue = null, Broadcast = true });
        await bus.WaitForInstanceAsync(billing.TaskId, i => i.Status == TaskInstanceState.Completed, "the billing task completes");
        await bus.WaitForInstanceAsync(broadcast.TaskId, i => i.Status == TaskInstanceState.Completed, "the broadcast task completes");
        await Wait.UntilAsync(() => Task.FromResult(bus.Recorder.Receipts(broadcast.TaskId).Count >= 2), "both subscribers receive the broadcast task");
        await bus.StopAllAsync(); // nothing can arrive later

        Assert.Equal(["billing"], bus.Recorder.Receipts(billing.TaskId).Select(r => r.Worker));
        Assert.Equal(["audit", "billing"], bus.Recorder.Receipts(broadcast.TaskId).Select(r => r.Worker).Order());
        Assert.Equal("billing", Assert.Single(bus.Ledger.Of(bus.Recorder.Receipts(billing.TaskId)[0].Message.InstanceId)).DestinationQueue);
    }

    [Fact]
    public async Task TaskWithoutRecipient_IsRejectedNamingTheFields()
    {
        await using var bus = new BusServices(environment, Output);
        await bus.StartNodeAsync("node-a");
        var client = await bus.StartClientAsync();

        var response = await client.GetResponse<TaskScheduled, TaskRejected>(Once.At(Once.FromNow(TimeSpan.FromMinutes(1))) with { DestinationQueue = null });

        Assert.True(response.Is(out Response<TaskRejected>? rejected), "a task that names no recipient is rejected");
        Assert.StartsWith("DestinationQueue is missing.", rejected!.Message.Reason, StringComparison.Ordinal);
        Assert.Contains("Broadcast = true", rejected.Message.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TaskWithoutRecipient_GoesToTheNodesDefaultQueue_WhenConfigured()
    {
        await using var bus = new BusServices(environment, Output);
        await bus.StartNodeAsync("node-a", o => o.DefaultDestinationQueue = "reports");
        await bus.StartWorkerAsync("reports", queue: "reports");
        await bus.StartWorkerAsync("other", queue: "other", ownTasksOnly: false);
        var client = await bus.StartClientAsync();

        var task = await BusServices.ScheduleAsync(client, Once.At(Once.FromNow(TimeSpan.FromMilliseconds(500))) with { DestinationQueue = null });
        await bus.WaitForInstanceAsync(task.TaskId, i => i.Status == TaskInstanceState.Completed, "the task completes");
        await bus.StopAllAsync();

        Assert.Equal(["reports"], bus.Recorder.Receipts(task.TaskId).Select(r => r.Worker));
        Assert.Equal("reports", (await bus.Store.GetDefinitionAsync(task.TaskId))!.DestinationQueue);
    }
}
