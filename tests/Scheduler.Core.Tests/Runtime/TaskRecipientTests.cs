using Scheduler.Contracts;
using Scheduler.Core.Runtime;

namespace Scheduler.Core.Tests.Runtime;

/// <summary>Every task has one recipient by default: a destination queue, the node's default one, or an explicit broadcast.</summary>
public sealed class TaskRecipientTests
{
    [Fact]
    public async Task Schedule_IsRejectedNamingTheFields_WhenNeitherDestinationNorBroadcastAndNoDefault()
    {
        using var node = new LoopFixture(o => o.DefaultDestinationQueue = null);

        var result = Assert.Single(await node.Scheduling.ScheduleManyAsync([LoopFixture.Once(TimeSpan.FromMinutes(1))]));

        Assert.Null(result.Scheduled);
        Assert.StartsWith("DestinationQueue is missing.", result.Rejected!.Reason, StringComparison.Ordinal);
        Assert.Contains("Broadcast = true", result.Rejected.Reason, StringComparison.Ordinal);
        Assert.Contains("Scheduler:DefaultDestinationQueue", result.Rejected.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Schedule_IsRejected_WhenBothDestinationAndBroadcast()
    {
        using var node = new LoopFixture();

        var result = Assert.Single(await node.Scheduling.ScheduleManyAsync([LoopFixture.Once(TimeSpan.FromMinutes(1)) with { DestinationQueue = "billing", Broadcast = true }]));

        Assert.Contains("DestinationQueue 'billing' and Broadcast are both set", result.Rejected!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Schedule_ReportsTheTriggerFirst_WhenTheCommandHasSeveralFaults()
    {
        using var node = new LoopFixture(o => o.DefaultDestinationQueue = null);

        var result = Assert.Single(await node.Scheduling.ScheduleManyAsync([new ScheduleTask { Trigger = "*/5 * * *" }]));

        Assert.Contains("has 4 fields", result.Rejected!.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, false, LoopFixture.DefaultQueue)] // the node's default
    [InlineData("billing", false, "billing")] // the command's queue wins over the default
    [InlineData(null, true, null)] // broadcast: stored without a queue, published
    public async Task Schedule_StoresTheRecipient(string? destinationQueue, bool broadcast, string? stored)
    {
        using var node = new LoopFixture();

        var scheduled = await node.Scheduling.ScheduleAsync(LoopFixture.Once(TimeSpan.FromSeconds(1)) with { DestinationQueue = destinationQueue, Broadcast = broadcast });
        node.Time.Advance(TimeSpan.FromSeconds(1));
        await node.TickAsync();

        Assert.Equal(stored, (await node.Store.GetDefinitionAsync(scheduled.TaskId))!.DestinationQueue);
        Assert.Equal(stored, Assert.Single(node.Dispatcher.Dispatched).Queue);
    }

    [Fact]
    public void Options_AreInvalid_WhenTheDefaultDestinationQueueIsNotAQueueName()
    {
        var result = new SchedulerOptionsValidator().Validate(null, new SchedulerOptions { DefaultDestinationQueue = "amq.tasks" });

        Assert.Contains(result.Failures!, f => f.StartsWith("Scheduler:DefaultDestinationQueue: DestinationQueue 'amq.tasks' starts with 'amq.'", StringComparison.Ordinal));
    }
}
