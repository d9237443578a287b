using Scheduler.Core.Definitions;
using Xunit.Abstractions;

namespace Scheduler.IntegrationTests.Bus;

/// <summary>Issue #3, item 6: a task with a DestinationQueue reaches only the service on that queue; a published task reaches the subscribers.</summary>
public sealed class DestinationQueueTests(BusEnvironmentFixture environment, ITestOutputHelper output) : IClassFixture<BusEnvironmentFixture>
{
    [Fact]
    public async Task TaskWithDestinationQueue_IsConsumedOnlyOnThatQueue_AndAPublishedTaskOnlyBySubscribers()
    {
        await using var bus = new BusServices(environment, output);
        var client = await bus.StartNodeWorkerAndClientAsync(); // worker-a subscribes to published TaskDue
        await bus.StartWorkerAsync("billing", queue: "billing", ownTasksOnly: true);
        var fireTime = Once.FromNow(TimeSpan.FromMilliseconds(500));

        var billing = await BusServices.ScheduleAsync(client, Once.At(fireTime) with { DestinationQueue = "billing" });
        var published = await BusServices.ScheduleAsync(client, Once.At(fireTime));
        await bus.WaitForInstanceAsync(billing.TaskId, i => i.Status == TaskInstanceStatus.Completed, "the billing task completes");
        await bus.WaitForInstanceAsync(published.TaskId, i => i.Status == TaskInstanceStatus.Completed, "the published task completes");
        await bus.StopAllAsync(); // nothing can arrive later

        Assert.Equal(["billing"], bus.Recorder.Receipts(billing.TaskId).Select(r => r.Worker));
        Assert.Equal(["worker-a"], bus.Recorder.Receipts(published.TaskId).Select(r => r.Worker));
        Assert.Equal("billing", Assert.Single(bus.Ledger.Of(bus.Recorder.Receipts(billing.TaskId)[0].Message.InstanceId)).DestinationQueue);
    }
}
