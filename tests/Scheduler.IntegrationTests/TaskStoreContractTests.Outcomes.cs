using Scheduler.Contracts;
using Scheduler.Core.Storage;
using static Scheduler.IntegrationTests.TestData;

namespace Scheduler.IntegrationTests;

/// <summary>The contract of <see cref="IOutcomeStore"/>.</summary>
public abstract partial class TaskStoreContractTests
{
    [Fact]
    public async Task Heartbeat_MovesTheExpiryOfTheCurrentAttemptForwardOnly()
    {
        var (definition, instances) = await SeedAsync(Store, T0);
        var id = instances[0].Id;
        InstanceOutcome Heartbeat(int attempt, DateTimeOffset at) => new(id, attempt, OutcomeKind.Heartbeat, at) { StartedAt = T0 };
        await ClaimAsync(Claim("node-a", T0));
        await Store.RecordDispatchesAsync(Record("node-a", new DispatchOutcome(id, 1, T0)));
        Assert.Equal([true], await Store.ApplyOutcomesAsync([Started(id, 1, T0)]));

        var beat = T0 + definition.ExpireAfter - TimeSpan.FromSeconds(1);
        Assert.Equal([true], await Store.ApplyOutcomesAsync([Heartbeat(1, beat)]));
        var stored = (await Store.GetInstanceAsync(id))!;
        Assert.Equal((TaskInstanceState.Dispatched, 1, beat + definition.ExpireAfter), (stored.Status, stored.Attempt, stored.DueAt));
        Assert.Equal([true, true], await Store.ApplyOutcomesAsync([Heartbeat(1, beat - TimeSpan.FromSeconds(5)), Heartbeat(1, beat)])); // late, repeated
        Assert.Equal(beat + definition.ExpireAfter, (await Store.GetInstanceAsync(id))!.DueAt); // never moved back
        Assert.Empty(await ClaimAsync(Claim("node-b", T0 + definition.ExpireAfter + TimeSpan.FromSeconds(1)))); // not expired: it heartbeats
        Assert.Equal([false], await Store.ApplyOutcomesAsync([Heartbeat(2, beat)])); // not the current attempt

        Assert.Single(await ClaimAsync(Claim("node-b", beat + definition.ExpireAfter))); // stopped heartbeating: dispatched again
        Assert.Equal([false], await Store.ApplyOutcomesAsync([Heartbeat(1, beat)])); // a superseded attempt's heartbeat changes nothing
    }

    [Fact]
    public async Task Heartbeat_RecordsTheStart_WhenTheStartWasLost()
    {
        var (definition, instances) = await SeedAsync(Store, T0);
        var id = instances[0].Id;
        var queue = TimeSpan.FromMinutes(10);
        await ClaimAsync(Claim("node-a", T0));
        await Store.RecordDispatchesAsync(new DispatchRecordRequest { Owner = "node-a", Outcomes = [new DispatchOutcome(id, 1, T0)], QueueTimeout = queue });

        var beat = T0 + TimeSpan.FromMinutes(2);
        Assert.Equal([true], await Store.ApplyOutcomesAsync([new InstanceOutcome(id, 1, OutcomeKind.Heartbeat, beat) { StartedAt = T0.AddMinutes(1) }]));

        var stored = (await Store.GetInstanceAsync(id))!;
        Assert.Equal((beat + definition.ExpireAfter, T0.AddMinutes(1)), (stored.DueAt, stored.StartedAt));
    }

    [Fact]
    public async Task Started_BeforeTheDispatchIsRecorded_MakesTheRecordCountExpireAfterFromNow()
    {
        // A fast worker reported the start while the node was still recording the dispatch: the record keeps the start.
        var (definition, instances) = await SeedAsync(Store, T0);
        var id = instances[0].Id;
        await ClaimAsync(Claim("node-a", T0));
        Assert.Equal([true], await Store.ApplyOutcomesAsync([Started(id, 1, T0)]));
        Assert.Equal(TaskInstanceState.Claimed, (await Store.GetInstanceAsync(id))!.Status);

        await Store.RecordDispatchesAsync(new DispatchRecordRequest
        {
            Owner = "node-a", Outcomes = [new DispatchOutcome(id, 1, T0)], QueueTimeout = TimeSpan.FromMinutes(10),
        });

        var stored = (await Store.GetInstanceAsync(id))!;
        Assert.Equal((TaskInstanceState.Dispatched, T0 + definition.ExpireAfter, T0.AddSeconds(1)), (stored.Status, stored.DueAt, stored.StartedAt));
    }

    [Fact]
    public async Task ApplyOutcomes_Completion_RecordsTheSchedulersTime_AndKeepsTheWorkersBesideIt()
    {
        var (_, instances) = await SeedAsync(Store, T0);
        await ClaimAsync(Claim("node-a", T0));
        await Store.RecordDispatchesAsync(Record("node-a", new DispatchOutcome(instances[0].Id, 1, T0)));

        Assert.Equal([true], await Store.ApplyOutcomesAsync([Completed(instances[0].Id, 1, T0.AddSeconds(5), reportedAt: T0.AddSeconds(3))]));

        var stored = (await Store.GetInstanceAsync(instances[0].Id))!;
        Assert.Equal(TaskInstanceState.Completed, stored.Status);
        Assert.Equal(T0.AddSeconds(5), stored.CompletedAt);
        Assert.Equal(T0.AddSeconds(3), stored.ReportedCompletedAt);
        Assert.Equal(T0.AddSeconds(1), stored.StartedAt);
        Assert.Equal(T0.AddSeconds(5), stored.FinishedAt);
        Assert.Equal(T0, stored.DispatchedAt);
        Assert.Null(stored.DueAt);
        Assert.Null(stored.LeaseOwner);
    }

    [Fact]
    public async Task ApplyOutcomes_Completion_CountsForAnyAttempt_EvenAfterADeadLetter()
    {
        var (_, instances) = await SeedAsync(Store, T0, T0.AddSeconds(-1));
        await ClaimAsync(Claim("node-a", T0));
        await Store.RecordDispatchesAsync(Record("node-a", new DispatchOutcome(instances[0].Id, 1, T0), new DispatchOutcome(instances[1].Id, 1, T0)));
        await Store.ApplyOutcomesAsync([Failed(instances[1].Id, 1, T0.AddSeconds(1), retryAt: null)]);
        Assert.Equal(TaskInstanceState.Failed, (await Store.GetInstanceAsync(instances[1].Id))!.Status);
        var reclaim = Assert.Single(await ClaimAsync(Claim("node-b", T0.AddHours(1)))); // attempt 1 of instances[0] expired: attempt 2 claimed
        Assert.Equal(2, reclaim.Instance.Attempt);

        var applied = await Store.ApplyOutcomesAsync([Completed(instances[0].Id, 1, T0.AddHours(1)), Completed(instances[1].Id, 1, T0.AddHours(1))]);

        Assert.Equal([true, true], applied);
        var late = (await Store.GetInstanceAsync(instances[1].Id))!;
        Assert.Equal(TaskInstanceState.Completed, late.Status);
        Assert.Null(late.FailedAt);
        Assert.Equal("System.Exception: boom", late.LastError); // the history of the failure is kept
        Assert.Equal(0, await Store.RecordDispatchesAsync(Record("node-b", new DispatchOutcome(instances[0].Id, 2, T0.AddHours(1)))));
        Assert.Equal(TaskInstanceState.Completed, (await Store.GetInstanceAsync(instances[0].Id))!.Status);
    }

    /// <summary>A send that timed out gives its attempt number back (Claimed → Scheduled), but the broker may have taken the message: its
    /// completion then records the attempt that ran, not the one given back (seen under load: instances Completed at attempt 0).</summary>
    [Fact]
    public async Task ApplyOutcomes_CompletionOfAnAttemptWhoseClaimWasReleased_RecordsThatAttempt()
    {
        var (_, instances) = await SeedAsync(Store, T0);
        var claim = Assert.Single(await ClaimAsync(Claim("node-a", T0)));
        Assert.Equal(1, await Store.ReleaseClaimsAsync(new ReleaseRequest { Owner = "node-a", Claims = [new ClaimToken(claim.Instance.Id, 1)] }));
        Assert.Equal((TaskInstanceState.Scheduled, 0), ((await Store.GetInstanceAsync(instances[0].Id))!.Status, (await Store.GetInstanceAsync(instances[0].Id))!.Attempt));

        Assert.Equal([true], await Store.ApplyOutcomesAsync([Completed(instances[0].Id, 1, T0.AddSeconds(2))]));

        var stored = (await Store.GetInstanceAsync(instances[0].Id))!;
        Assert.Equal((TaskInstanceState.Completed, 1), (stored.Status, stored.Attempt));
        Assert.Empty(await ClaimAsync(Claim("node-b", T0.AddHours(1))));
    }

    [Fact]
    public async Task ApplyOutcomes_FailureAndStart_ApplyOnlyToTheCurrentAttemptWhileItIsOut()
    {
        var (_, instances) = await SeedAsync(Store, T0, T0.AddSeconds(-1), T0.AddSeconds(-2));
        await ClaimAsync(Claim("node-a", T0));
        await Store.RecordDispatchesAsync(Record("node-a", new DispatchOutcome(instances[0].Id, 1, T0), new DispatchOutcome(instances[1].Id, 1, T0), new DispatchOutcome(instances[2].Id, 1, T0)));
        await Store.ApplyOutcomesAsync([Completed(instances[2].Id, 1, T0)]);

        var applied = await Store.ApplyOutcomesAsync(
        [
            Failed(instances[0].Id, 2, T0.AddSeconds(1), retryAt: T0.AddSeconds(9)),     // not the current attempt
            Started(instances[1].Id, 1, T0.AddSeconds(2)),
            Failed(instances[1].Id, 1, T0.AddSeconds(3), retryAt: null),                 // the same row, after the start: its own statement
            Failed(instances[2].Id, 1, T0.AddSeconds(3), retryAt: T0.AddSeconds(9)),     // completed: accepts nothing
            Started(Guid.NewGuid(), 1, T0),
        ]);

        Assert.Equal([false, true, true, false, false], applied);
        Assert.Equal(TaskInstanceState.Dispatched, (await Store.GetInstanceAsync(instances[0].Id))!.Status);
        var failed = (await Store.GetInstanceAsync(instances[1].Id))!;
        Assert.Equal((TaskInstanceState.Failed, T0.AddSeconds(3), T0.AddSeconds(3)), (failed.Status, failed.FailedAt, failed.FinishedAt));
        Assert.Equal(T0.AddSeconds(1), failed.StartedAt);
        Assert.Null(failed.DueAt);
        Assert.False(await Store.ApplyOutcomesAsync([Failed(instances[1].Id, 1, T0.AddSeconds(4), retryAt: T0.AddSeconds(9))]) is [true]);
        Assert.Equal(TaskInstanceState.Completed, (await Store.GetInstanceAsync(instances[2].Id))!.Status);
    }

    [Fact]
    public async Task ApplyOutcomes_Start_RecordsStartedAt_AndKeepsTheClaim()
    {
        var (_, instances) = await SeedAsync(Store, T0);
        await ClaimAsync(Claim("node-a", T0));

        Assert.Equal([true], await Store.ApplyOutcomesAsync([Started(instances[0].Id, 1, T0.AddSeconds(1))]));

        var stored = (await Store.GetInstanceAsync(instances[0].Id))!;
        Assert.Equal((TaskInstanceState.Claimed, "node-a", T0.AddSeconds(1)), (stored.Status, stored.LeaseOwner, stored.StartedAt));
        Assert.Equal(1, await Store.RecordDispatchesAsync(Record("node-a", new DispatchOutcome(instances[0].Id, 1, T0))));
    }

    [Fact]
    public async Task GetInstancesById_ReturnsTheOnesThatExist()
    {
        var (_, instances) = await SeedAsync(Store, T0, T0.AddSeconds(1), T0.AddSeconds(2));

        var found = await Store.GetInstancesByIdAsync([instances[0].Id, instances[2].Id, instances[0].Id, Guid.NewGuid()]);

        Assert.Equal(new[] { instances[0].Id, instances[2].Id }.Order(), found.Select(i => i.Id).Order());
        Assert.Empty(await Store.GetInstancesByIdAsync([]));
    }
}
