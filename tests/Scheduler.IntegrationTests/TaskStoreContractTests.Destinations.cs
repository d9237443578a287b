using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;
using static Scheduler.IntegrationTests.TestData;

namespace Scheduler.IntegrationTests;

/// <summary>
/// Issue #20, item 3 (destinations view): <see cref="IAdminStore.GetDestinationLoadsAsync"/> on every store — per destination queue of the
/// definitions, the backlog due, the instances in flight, the dead letters since a time and the last dispatch; broadcast tasks left out.
/// </summary>
public abstract partial class TaskStoreContractTests
{
    [Fact]
    public async Task DestinationLoads_CountBacklogInFlightAndRecentDeadLetters_PerDestinationQueue_WithTheLastDispatch()
    {
        var now = T0.AddDays(2);
        var reports = Definition(nextFireTime: null);
        var billing = Definition(nextFireTime: null); // a second task sending to the same queue
        var mail = Definition(nextFireTime: null, destinationQueue: "mail");
        var broadcast = Definition(nextFireTime: null, destinationQueue: null!);
        foreach (var definition in new[] { reports, billing, mail, broadcast })
        {
            await Store.AddDefinitionAsync(definition);
        }

        await AddAsync(reports, TaskInstanceState.Scheduled, i => i.DueAt = now.AddMinutes(-1)); // backlog
        await AddAsync(reports, TaskInstanceState.Scheduled, i => i.DueAt = now.AddMinutes(1)); // not due yet
        await AddAsync(billing, TaskInstanceState.Claimed, i => (i.DueAt, i.LeaseOwner, i.LeaseExpiresAt) = (now, "node-a", now.AddSeconds(30))); // backlog
        await AddAsync(billing, TaskInstanceState.Dispatched, i => (i.DueAt, i.Attempt, i.DispatchedAt) = (now.AddMinutes(2), 1, now.AddSeconds(-5))); // in flight
        await AddAsync(reports, TaskInstanceState.Failed, i => Finish(i, now.AddHours(-1))); // a recent dead letter
        await AddAsync(reports, TaskInstanceState.Failed, i => Finish(i, now.AddHours(-25))); // an old one
        await AddAsync(reports, TaskInstanceState.Completed, i => Finish(i, now.AddMinutes(-30)));
        await AddAsync(mail, TaskInstanceState.Completed, i => Finish(i, now.AddHours(-2)));
        await AddAsync(broadcast, TaskInstanceState.Scheduled, i => i.DueAt = now.AddMinutes(-1));

        var loads = await Store.GetDestinationLoadsAsync(now, now.AddHours(-24));

        Assert.Equal(
            [new DestinationLoad("mail", 0, 0, 0, now.AddHours(-2).AddSeconds(-1)), new DestinationLoad("reports", 2, 1, 1, now.AddSeconds(-5))],
            loads.OrderBy(l => l.Queue, StringComparer.Ordinal));
        Assert.Empty(await new InMemoryTaskStore().GetDestinationLoadsAsync(now, now.AddHours(-24)));
    }

    private static void Finish(TaskInstance instance, DateTimeOffset at)
    {
        (instance.DueAt, instance.Attempt, instance.DispatchedAt, instance.FinishedAt) = (null, 1, at.AddSeconds(-1), at);
        if (instance.Status == TaskInstanceState.Failed)
        {
            (instance.FailedAt, instance.LastError) = (at, "System.Exception: boom");
        }
        else
        {
            instance.CompletedAt = at;
        }
    }

    private async Task AddAsync(TaskDefinition definition, TaskInstanceState state, Action<TaskInstance> shape)
    {
        var instance = Instance(definition, T0.AddSeconds(Interlocked.Increment(ref _destinationFireTimes)));
        instance.Status = state;
        shape(instance);
        Assert.True((await Store.AddInstanceAsync(instance)).Added);
    }

    private int _destinationFireTimes;
}
