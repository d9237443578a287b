using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;
using static Scheduler.IntegrationTests.TestData;

namespace Scheduler.IntegrationTests;

/// <summary>The contract of <see cref="IAdminStore"/>'s operator transitions of one task or instance: delete and retry now.</summary>
public abstract partial class TaskStoreContractTests
{
    [Fact]
    public async Task DeleteDefinition_IsRefusedWhileAnInstanceIsClaimedOrDispatched_ThenDeletesTheTaskAndAllItsInstances()
    {
        var (definition, instances) = await SeedAsync(Store, T0, T0.AddSeconds(1), T0.AddMinutes(5));
        Assert.Equal(2, (await ClaimAsync(Claim("node-a", T0.AddSeconds(1)))).Count);
        Assert.Equal(1, await Store.RecordDispatchesAsync(Record("node-a", new DispatchOutcome(instances[0].Id, 1, T0.AddSeconds(1)))));

        var refused = await Assert.ThrowsAsync<TaskValidationException>(() => Store.DeleteDefinitionAsync(definition.Id));

        Assert.Contains("(1 Dispatched, 1 Claimed)", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Cancel it first and wait until its dispatched instances finish", refused.Message, StringComparison.Ordinal);
        Assert.NotNull(await Store.GetDefinitionAsync(definition.Id)); // nothing half-deleted: the Scheduled one is still there too
        Assert.Equal(3, (await Store.GetInstancesAsync(definition.Id)).Count);

        // Cancelled, the Claimed one is cancelled; the Dispatched one still refuses the delete until it finishes.
        Assert.True(await Store.CancelDefinitionAsync(definition.Id, T0.AddSeconds(2)));
        var stillRunning = await Assert.ThrowsAsync<TaskValidationException>(() => Store.DeleteDefinitionAsync(definition.Id));
        Assert.Contains("(1 Dispatched)", stillRunning.Message, StringComparison.Ordinal);
        Assert.Equal([true], await Store.ApplyOutcomesAsync([Completed(instances[0].Id, 1, T0.AddSeconds(3))]));

        Assert.Equal(3, await Store.DeleteDefinitionAsync(definition.Id));
        Assert.Null(await Store.GetDefinitionAsync(definition.Id));
        Assert.Empty(await Store.GetInstancesAsync(definition.Id));
        Assert.Null(await Store.GetInstanceAsync(instances[0].Id));
        Assert.Null(await Store.DeleteDefinitionAsync(definition.Id)); // a repeat finds nothing
    }

    [Fact]
    public async Task DeleteDefinition_DeletesATaskNotCancelled_WhenNothingOfItIsInFlight_AndLeavesOtherTasksAlone()
    {
        var (definition, _) = await SeedAsync(Store, T0.AddMinutes(1), T0.AddMinutes(2));
        var (other, otherInstances) = await SeedAsync(Store, T0.AddMinutes(1));

        Assert.Equal(2, await Store.DeleteDefinitionAsync(definition.Id));

        Assert.Null(await Store.GetDefinitionAsync(definition.Id));
        Assert.Empty(await Store.GetInstancesAsync(definition.Id));
        Assert.NotNull(await Store.GetDefinitionAsync(other.Id));
        Assert.Equal([otherInstances[0].Id], (await Store.GetInstancesAsync(other.Id)).Select(i => i.Id));
        Assert.Null(await Store.DeleteDefinitionAsync(Guid.NewGuid()));
    }

    [Fact]
    public async Task DeleteInstance_DeletesOnlyAFinishedInstance_AndRefusesEveryOtherStateNamingIt()
    {
        var (definition, instances) = await SeedAsync(Store, T0, T0.AddMinutes(5));
        Assert.Single(await ClaimAsync(Claim("node-a", T0)));

        var claimed = await Assert.ThrowsAsync<TaskValidationException>(() => Store.DeleteInstanceAsync(instances[0].Id));
        Assert.Contains("is Claimed", claimed.Message, StringComparison.Ordinal);
        Assert.Contains("Cancel its task first", claimed.Message, StringComparison.Ordinal);
        var scheduled = await Assert.ThrowsAsync<TaskValidationException>(() => Store.DeleteInstanceAsync(instances[1].Id));
        Assert.Contains("is Scheduled", scheduled.Message, StringComparison.Ordinal);
        Assert.Equal(1, await Store.RecordDispatchesAsync(Record("node-a", new DispatchOutcome(instances[0].Id, 1, T0))));
        var dispatched = await Assert.ThrowsAsync<TaskValidationException>(() => Store.DeleteInstanceAsync(instances[0].Id));
        Assert.Contains("is Dispatched", dispatched.Message, StringComparison.Ordinal);
        Assert.Contains("Wait until its attempt finishes", dispatched.Message, StringComparison.Ordinal);
        Assert.Equal(2, (await Store.GetInstancesAsync(definition.Id)).Count);

        Assert.Equal([true], await Store.ApplyOutcomesAsync([Completed(instances[0].Id, 1, T0.AddSeconds(1))]));
        var deleted = await Store.DeleteInstanceAsync(instances[0].Id);

        Assert.Equal((instances[0].Id, TaskInstanceState.Completed), (deleted!.Id, deleted.Status));
        Assert.Null(await Store.GetInstanceAsync(instances[0].Id));
        Assert.Equal([instances[1].Id], (await Store.GetInstancesAsync(definition.Id)).Select(i => i.Id));
        Assert.NotNull(await Store.GetDefinitionAsync(definition.Id));
        Assert.Null(await Store.DeleteInstanceAsync(instances[0].Id)); // a repeat finds nothing
    }

    [Fact]
    public async Task RetryInstanceNow_MakesAnInstanceWaitingForItsRetryDueNow_KeepingItsAttempts_AndRefusesOtherStates()
    {
        var (_, instances) = await SeedAsync(Store, T0, T0.AddSeconds(1), T0.AddMinutes(5));
        Assert.Equal(2, (await ClaimAsync(Claim("node-a", T0.AddSeconds(1)))).Count);
        Assert.Single(await Store.FailDispatchesAsync(new DispatchFailureRequest
        {
            Owner = "node-a",
            Failures = [new DispatchFailure(instances[0].Id, 1, T0.AddSeconds(1), "broker unreachable", T0.AddMinutes(10))],
        }));
        var waiting = (await Store.GetInstanceAsync(instances[0].Id))!;
        Assert.Equal((TaskInstanceState.Scheduled, 1, T0.AddMinutes(10)), (waiting.Status, waiting.Attempt, waiting.DueAt));
        var now = T0.AddSeconds(5);

        var (retried, changed) = await Store.RetryInstanceNowAsync(waiting.Id, now);

        Assert.True(changed);
        var stored = (await Store.GetInstanceAsync(waiting.Id))!;
        Assert.Equal((TaskInstanceState.Scheduled, now, waiting.Attempt, waiting.MaxAttempts, waiting.Version + 1),
            (stored.Status, stored.DueAt, stored.Attempt, stored.MaxAttempts, stored.Version));
        Assert.Equal((stored.DueAt, stored.Version), (retried!.DueAt, retried.Version));
        Assert.False((await Store.RetryInstanceNowAsync(waiting.Id, now.AddSeconds(1))).Changed); // due already: a repeat changes nothing
        Assert.Equal(waiting.Id, Assert.Single(await ClaimAsync(Claim("node-a", now)), c => c.Instance.Id == waiting.Id).Instance.Id);

        var claimed = await Assert.ThrowsAsync<TaskValidationException>(() => Store.RetryInstanceNowAsync(waiting.Id, now));
        Assert.Contains("it is Claimed", claimed.Message, StringComparison.Ordinal);
        var first = await Assert.ThrowsAsync<TaskValidationException>(() => Store.RetryInstanceNowAsync(instances[2].Id, now));
        Assert.Contains("Scheduled for its first attempt", first.Message, StringComparison.Ordinal);
        Assert.Single(await Store.FailDispatchesAsync(new DispatchFailureRequest
        {
            Owner = "node-a",
            Failures = [new DispatchFailure(instances[1].Id, 1, now, "invalid destination", null)],
        }));
        var dead = await Assert.ThrowsAsync<TaskValidationException>(() => Store.RetryInstanceNowAsync(instances[1].Id, now));
        Assert.Contains("a dead letter. Requeue it instead", dead.Message, StringComparison.Ordinal);
        Assert.Equal(TaskInstanceState.Failed, (await Store.GetInstanceAsync(instances[1].Id))!.Status);
        Assert.Equal((null, false), await Store.RetryInstanceNowAsync(Guid.NewGuid(), now));
    }
}
