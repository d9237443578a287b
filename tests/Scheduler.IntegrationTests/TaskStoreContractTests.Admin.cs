using Scheduler.Contracts;
using Scheduler.Core.Storage;
using static Scheduler.IntegrationTests.TestData;

namespace Scheduler.IntegrationTests;

/// <summary>The contract of <see cref="IAdminStore"/>.</summary>
public abstract partial class TaskStoreContractTests
{
    [Fact]
    public async Task GetInstances_OrdersByFireTime()
    {
        var (definition, _) = await SeedAsync(Store, T0.AddSeconds(3), T0.AddSeconds(1), T0.AddSeconds(2));

        Assert.Equal([T0.AddSeconds(1), T0.AddSeconds(2), T0.AddSeconds(3)], (await Store.GetInstancesAsync(definition.Id)).Select(i => i.FireTime));
    }

    [Fact]
    public async Task RequeueDeadLetters_SchedulesEachDeadLetterNow_WithOneMoreAttempt_AndLeavesOthersAlone()
    {
        var (_, instances) = await SeedAsync(Store, T0, T0.AddSeconds(1));
        var claims = await ClaimAsync(Claim("node-a", T0.AddSeconds(1)));
        var dead = claims.Single(c => c.Instance.Id == instances[0].Id).Instance;
        Assert.Single(await Store.FailDispatchesAsync(new DispatchFailureRequest
        {
            Owner = "node-a",
            Failures = [new DispatchFailure(dead.Id, dead.Attempt, T0.AddSeconds(2), "invalid destination", null)],
        }));
        var before = (await Store.GetInstanceAsync(dead.Id))!;
        var now = T0.AddMinutes(5);

        // The claimed (not dead) instance and a missing id are left out; a repeated id counts once.
        var requeued = await Store.RequeueDeadLettersAsync([dead.Id, instances[1].Id, Guid.NewGuid(), dead.Id], now);

        Assert.Equal([dead.Id], requeued);
        var stored = (await Store.GetInstanceAsync(dead.Id))!;
        Assert.Equal(TaskInstanceState.Scheduled, stored.Status);
        Assert.Equal(now, stored.DueAt);
        Assert.Equal(before.Attempt, stored.Attempt);
        Assert.Equal(before.Attempt + 1, stored.MaxAttempts);
        Assert.Null(stored.FailedAt);
        Assert.Null(stored.FinishedAt);
        Assert.Equal("invalid destination", stored.LastError);
        Assert.Equal(before.Version + 1, stored.Version);
        Assert.Equal(TaskInstanceState.Claimed, (await Store.GetInstanceAsync(instances[1].Id))!.Status);
        Assert.Empty(await Store.RequeueDeadLettersAsync([dead.Id], now)); // Scheduled now: not a dead letter

        // A report of the dead attempt stays fenced out; the next claim takes the one more attempt, and its failure dead-letters it again.
        Assert.Equal([false], await Store.ApplyOutcomesAsync([Started(dead.Id, before.Attempt, now)]));
        var again = Assert.Single(await ClaimAsync(Claim("node-a", now)), c => c.Instance.Id == dead.Id);
        Assert.Equal(before.Attempt + 1, again.Instance.Attempt);
        Assert.Null(TaskInstanceLifecycle.RetryAt(again.Instance, again.Instance.Attempt, now));
        Assert.Single(await Store.FailDispatchesAsync(new DispatchFailureRequest
        {
            Owner = "node-a",
            Failures = [new DispatchFailure(dead.Id, again.Instance.Attempt, now, "still invalid", null)],
        }));
        Assert.Equal(TaskInstanceState.Failed, (await Store.GetInstanceAsync(dead.Id))!.Status);
    }
}
