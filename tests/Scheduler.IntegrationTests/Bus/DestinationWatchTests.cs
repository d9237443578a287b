using Microsoft.Extensions.DependencyInjection;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Runtime;
using Xunit.Abstractions;

namespace Scheduler.IntegrationTests.Bus;

/// <summary>
/// Issue #18, item 3, on real RabbitMQ and PostgreSQL: a node asks the broker how many consumers its destination queues have; a task whose
/// queue has had none for <c>Scheduler:DestinationGrace</c> waits, using no attempt, and goes out once a worker consumes the queue.
/// </summary>
public sealed class DestinationWatchTests(BusEnvironmentFixture environment, ITestOutputHelper output) : IClassFixture<BusEnvironmentFixture>
{
    private const string Queue = "nobody-home";

    [Fact]
    public async Task TaskForAQueueWithoutConsumer_Waits_UsingNoAttempt_AndRunsOnceAWorkerConsumesIt()
    {
        await using var bus = new BusServices(environment, output);
        var node = await bus.StartNodeAsync("node-a", o => o.DestinationGrace = TimeSpan.FromSeconds(3));
        var watch = node.Services.GetRequiredService<DestinationWatch>();
        var client = await bus.StartClientAsync();
        var first = await BusServices.ScheduleAsync(client, Once.At(Once.FromNow(TimeSpan.Zero)) with { DestinationQueue = Queue });
        await Wait.UntilAsync(() => watch.Snapshot().Any(d => d.Queue == Queue && d.WithoutConsumer),
            "the node reports the queue as without consumer once it had none for 3 s");

        var waiting = await BusServices.ScheduleAsync(client, Once.At(Once.FromNow(TimeSpan.Zero)) with { DestinationQueue = Queue });
        await Wait.UntilAsync(async () => (await bus.Store.GetInstancesAsync(waiting.TaskId)).Any(i => i.DueAt > TimeProvider.System.GetUtcNow()),
            "the runner gave the claim back to wait for the next check");
        var held = Assert.Single(await bus.Store.GetInstancesAsync(waiting.TaskId));
        Assert.Equal((TaskInstanceState.Scheduled, 0), (held.Status, held.Attempt)); // not sent, no attempt used
        Assert.Empty(bus.Ledger.Of(held.Id));

        await bus.StartWorkerAsync("late-worker", Queue);
        foreach (var task in new[] { first, waiting })
        {
            var completed = await bus.WaitForInstanceAsync(task.TaskId, i => i.Status == TaskInstanceState.Completed, "the worker runs the task");
            Assert.Equal(1, completed.Attempt);
        }

        await Wait.UntilAsync(() => watch.Snapshot().Single(d => d.Queue == Queue) is { WithoutConsumer: false, Consumers: > 0 },
            "the node sees the queue's consumer");
    }
}
