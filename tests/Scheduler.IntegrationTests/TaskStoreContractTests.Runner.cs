using Scheduler.Contracts;
using Scheduler.Core.Storage;
using static Scheduler.IntegrationTests.TestData;

namespace Scheduler.IntegrationTests;

/// <summary>The contract of <see cref="IRunnerStore"/>.</summary>
public abstract partial class TaskStoreContractTests
{
    [Fact]
    public async Task Claim_TakesScheduledWithinHorizon_EarliestFirst_AndReservesAttempt()
    {
        var (definition, instances) = await SeedAsync(Store, T0.AddSeconds(9), T0.AddSeconds(-30), T0.AddSeconds(11), T0.AddSeconds(2));

        var claimed = await ClaimAsync(Claim("node-a", T0));

        Assert.Equal([instances[1].Id, instances[3].Id, instances[0].Id], claimed.Select(c => c.Instance.Id));
        var first = claimed[0];
        Assert.Equal(TaskInstanceState.Claimed, first.Instance.Status);
        Assert.Equal(1, first.Instance.Attempt);
        Assert.Equal("node-a", first.Instance.LeaseOwner);
        Assert.Equal(T0.AddSeconds(-30), first.Instance.DueAt); // a claimed instance is dispatched at its due time
        Assert.Equal(T0.AddSeconds(30), first.Instance.LeaseExpiresAt); // due in the past: now + lease
        Assert.Equal(T0.AddSeconds(39), claimed[2].Instance.LeaseExpiresAt); // due in the future: due + lease
        Assert.Equal(2, first.Instance.Version);
        Assert.Equal(definition.Metadata, first.Metadata);
        Assert.Equal(definition.Payload, first.Payload);
        Assert.Equal(definition.DestinationQueue, first.DestinationQueue);
        Assert.Equal((definition.TraceParent, true), (first.TraceParent, first.Recurring)); // a cron task: its dispatches link to the trace
        var stored = await Store.GetInstanceAsync(first.Instance.Id);
        Assert.Equal((TaskInstanceState.Claimed, 1, "node-a"), (stored!.Status, stored.Attempt, stored.LeaseOwner));
        Assert.Equal((TaskInstanceState.Scheduled, 0), ((await Store.GetInstanceAsync(instances[2].Id))!.Status, (await Store.GetInstanceAsync(instances[2].Id))!.Attempt));
    }

    [Fact]
    public async Task Claim_TakesAtMostMaxCount()
    {
        await SeedAsync(Store, T0, T0.AddSeconds(1), T0.AddSeconds(2));

        Assert.Equal(2, (await ClaimAsync(Claim("a", T0, maxCount: 2))).Count);
        Assert.Single(await ClaimAsync(Claim("a", T0, maxCount: 2)));
        Assert.Empty(await ClaimAsync(Claim("a", T0, maxCount: 2)));
    }

    [Fact]
    public async Task Claim_TakesALapsedClaimOver_OnlyOnceItsLeaseEnds()
    {
        var (_, instances) = await SeedAsync(Store, T0);
        await ClaimAsync(Claim("node-a", T0));

        Assert.Empty(await ClaimAsync(Claim("node-b", T0.AddSeconds(29))));
        var taken = Assert.Single(await ClaimAsync(Claim("node-b", T0.AddSeconds(30))));

        Assert.Equal(instances[0].Id, taken.Instance.Id);
        Assert.Equal(TaskInstanceState.Claimed, taken.Instance.Status);
        Assert.Equal(1, taken.Instance.Attempt); // the lapsed claim was never recorded as dispatched: its attempt number carries over
        Assert.Equal("node-b", taken.Instance.LeaseOwner);
        Assert.Equal(T0, taken.Instance.DueAt);
        Assert.Equal(T0.AddSeconds(60), taken.Instance.LeaseExpiresAt);

        // node-a's claim is over: the owner fence keeps it from recording, renewing or releasing node-b's claim of the same attempt.
        var stale = new ClaimToken(instances[0].Id, 1);
        Assert.Equal(0, await Store.RecordDispatchesAsync(Record("node-a", new DispatchOutcome(instances[0].Id, 1, T0.AddSeconds(31)))));
        Assert.Empty(await Store.RenewLeasesAsync(new LeaseRenewalRequest { Owner = "node-a", Claims = [stale], LeaseExpiresAt = T0.AddSeconds(90) }));
        Assert.Equal(0, await Store.ReleaseClaimsAsync(new ReleaseRequest { Owner = "node-a", Claims = [stale] }));
        Assert.Equal(1, await Store.RecordDispatchesAsync(Record("node-b", new DispatchOutcome(instances[0].Id, 1, T0.AddSeconds(31)))));
    }

    [Fact]
    public async Task Claim_TakesALapsedClaimOfTheLastAttemptOver_WithoutExceedingMaxAttempts()
    {
        var (definition, instances) = await SeedAsync(Store, T0);
        var now = T0;
        for (var attempt = 1; attempt < definition.Retry.MaxAttempts; attempt++)
        {
            var claim = Assert.Single(await ClaimAsync(Claim("node-a", now)));
            await Store.RecordDispatchesAsync(Record("node-a", new DispatchOutcome(claim.Instance.Id, attempt, now)));
            now += definition.ExpireAfter + TimeSpan.FromSeconds(1);
        }

        var last = Assert.Single(await ClaimAsync(Claim("node-a", now)));
        Assert.Equal(definition.Retry.MaxAttempts, last.Instance.Attempt);
        var takenOver = Assert.Single(await ClaimAsync(Claim("node-b", last.Instance.LeaseExpiresAt!.Value)));
        var again = Assert.Single(await ClaimAsync(Claim("node-a", takenOver.Instance.LeaseExpiresAt!.Value)));

        Assert.Equal(instances[0].Id, again.Instance.Id);
        Assert.Equal(definition.Retry.MaxAttempts, takenOver.Instance.Attempt);
        Assert.Equal(definition.Retry.MaxAttempts, again.Instance.Attempt);
    }

    [Fact]
    public async Task CancelClaims_CancelsTheOwnersClaims_AndTellsTheRunnerTheTaskWasCancelled()
    {
        var (definition, instances) = await SeedAsync(Store, T0);
        var claim = Assert.Single(await ClaimAsync(Claim("node-a", T0)));
        Assert.False(claim.TaskCancelled);
        await Store.RecordDispatchesAsync(Record("node-a", new DispatchOutcome(claim.Instance.Id, 1, T0)));
        Assert.True(await Store.CancelDefinitionAsync(definition.Id, T0.AddSeconds(1))); // attempt 1 is running: it stays Dispatched

        var expired = Assert.Single(await ClaimAsync(Claim("node-b", T0 + definition.ExpireAfter)));
        Assert.True(expired.TaskCancelled);
        var token = new ClaimToken(instances[0].Id, expired.Instance.Attempt);
        EndClaimsRequest Cancel(string owner) => new() { Owner = owner, Claims = [token], Status = TaskInstanceState.Cancelled, At = T0.AddMinutes(6) };
        Assert.Equal(0, await Store.EndClaimsAsync(Cancel("node-a")));
        Assert.Equal(1, await Store.EndClaimsAsync(Cancel("node-b")));

        var stored = (await Store.GetInstanceAsync(instances[0].Id))!;
        Assert.Equal((TaskInstanceState.Cancelled, T0.AddMinutes(6), null, null), (stored.Status, stored.FinishedAt, stored.DueAt, stored.LeaseOwner));
    }

    [Fact]
    public async Task FailDispatch_UsesUpTheAttempt_AndSchedulesTheNextOneAtRetryAt()
    {
        var (_, instances) = await SeedAsync(Store, T0);
        var claim = Assert.Single(await ClaimAsync(Claim("node-a", T0)));
        var retryAt = T0.AddSeconds(10);

        var failed = await Store.FailDispatchesAsync(new DispatchFailureRequest
        {
            Owner = "node-a",
            Failures = [new DispatchFailure(claim.Instance.Id, 1, T0, "refused by the broker", retryAt)],
        });

        Assert.Equal([instances[0].Id], failed);
        var stored = (await Store.GetInstanceAsync(instances[0].Id))!;
        Assert.Equal(TaskInstanceState.Scheduled, stored.Status);
        Assert.Equal(1, stored.Attempt);
        Assert.Equal(retryAt, stored.DueAt);
        Assert.Equal("refused by the broker", stored.LastError);
        Assert.Null(stored.LeaseOwner);
        Assert.Empty(await ClaimAsync(Claim("node-a", retryAt.AddSeconds(-11))));
        Assert.Equal(2, Assert.Single(await ClaimAsync(Claim("node-a", retryAt))).Instance.Attempt);
    }

    [Fact]
    public async Task FailDispatch_WithoutRetryAt_DeadLetters_AndIsFencedByOwnerAndAttempt()
    {
        var (_, instances) = await SeedAsync(Store, T0);
        var claim = Assert.Single(await ClaimAsync(Claim("node-a", T0)));
        DispatchFailureRequest Fail(string owner, int attempt) => new()
        {
            Owner = owner,
            Failures = [new DispatchFailure(claim.Instance.Id, attempt, T0.AddSeconds(1), "invalid destination", null)],
        };

        Assert.Empty(await Store.FailDispatchesAsync(Fail("node-b", 1)));
        Assert.Empty(await Store.FailDispatchesAsync(Fail("node-a", 2)));
        Assert.Single(await Store.FailDispatchesAsync(Fail("node-a", 1)));
        Assert.Empty(await Store.FailDispatchesAsync(Fail("node-a", 1)));

        var stored = (await Store.GetInstanceAsync(instances[0].Id))!;
        Assert.Equal(TaskInstanceState.Failed, stored.Status);
        Assert.Equal(T0.AddSeconds(1), stored.FailedAt);
        Assert.Equal(T0.AddSeconds(1), stored.FinishedAt);
        Assert.Null(stored.DueAt);
        Assert.Equal("invalid destination", stored.LastError);
        Assert.Empty(await ClaimAsync(Claim("node-a", T0.AddHours(1))));
    }

    [Fact]
    public async Task Claim_TakesDispatchedInstances_OnlyWhenTheirAttemptExpired()
    {
        var (definition, instances) = await SeedAsync(Store, T0);
        var claimed = Assert.Single(await ClaimAsync(Claim("node-a", T0)));
        await Store.RecordDispatchesAsync(Record("node-a", new DispatchOutcome(claimed.Instance.Id, 1, T0)));
        var expiry = T0 + definition.ExpireAfter;

        // Within the horizon is not enough for a dispatched instance: it must have expired.
        Assert.Empty(await ClaimAsync(Claim("node-a", expiry.AddSeconds(-1))));
        var again = Assert.Single(await ClaimAsync(Claim("node-b", expiry.AddSeconds(1))));

        Assert.Equal(instances[0].Id, again.Instance.Id);
        Assert.Equal(TaskInstanceState.Claimed, again.Instance.Status);
        Assert.Equal(2, again.Instance.Attempt);
        Assert.Equal(expiry.AddSeconds(1), again.Instance.DueAt); // an expired attempt is due again at once
    }

    [Fact]
    public async Task Claim_DeadLettersAnExpiredLastAttempt_InsteadOfClaimingIt()
    {
        var (definition, instances) = await SeedAsync(Store, T0);
        var now = T0;
        for (var attempt = 1; attempt <= definition.Retry.MaxAttempts; attempt++)
        {
            var claim = Assert.Single(await ClaimAsync(Claim("node-a", now)));
            Assert.Equal(attempt, claim.Instance.Attempt);
            Assert.Equal(1, await Store.RecordDispatchesAsync(Record("node-a", new DispatchOutcome(claim.Instance.Id, attempt, now))));
            Assert.Equal([true], await Store.ApplyOutcomesAsync([Started(claim.Instance.Id, attempt, now)]));
            now += definition.ExpireAfter;
        }

        var result = await Store.ClaimDueInstancesAsync(Claim("node-b", now));

        Assert.Empty(result.Claimed);
        var dead = Assert.Single(result.DeadLettered);
        Assert.Equal((instances[0].Id, definition.Retry.MaxAttempts), (dead.Id, dead.Attempt));
        var stored = (await Store.GetInstanceAsync(instances[0].Id))!;
        Assert.Equal(TaskInstanceState.Failed, stored.Status);
        Assert.Equal(now, stored.FailedAt);
        Assert.Equal(now, stored.FinishedAt);
        Assert.Null(stored.DueAt);
        Assert.Equal(TaskInstanceLifecycle.ExpiredReason, stored.LastError);
        Assert.Empty((await Store.ClaimDueInstancesAsync(Claim("node-b", now.AddHours(1)))).DeadLettered);
    }

    [Fact]
    public async Task Claim_ComparesInstants_NotWallClockTimes()
    {
        // 12:00:05 at +05:00 is 07:00:05 UTC: long before T0 (12:00 UTC), so due.
        var (_, instances) = await SeedAsync(Store, new DateTimeOffset(2030, 1, 1, 12, 0, 5, TimeSpan.FromHours(5)), T0.AddHours(-1));

        var claimed = await ClaimAsync(Claim("a", T0));

        Assert.Equal([instances[0].Id, instances[1].Id], claimed.Select(c => c.Instance.Id));
    }

    [Fact]
    public async Task Claim_SkipsFinalInstances()
    {
        var (definition, _) = await SeedAsync(Store, T0, T0.AddSeconds(1));
        await Store.CancelDefinitionAsync(definition.Id, T0);

        Assert.Empty(await ClaimAsync(Claim("a", T0)));
    }

    [Fact]
    public async Task RecordDispatches_MarksDispatched_AndClearsTheClaim()
    {
        var (definition, instances) = await SeedAsync(Store, T0, T0.AddSeconds(1));
        await ClaimAsync(Claim("node-a", T0));
        var at = T0.AddSeconds(2);

        Assert.Equal(2, await Store.RecordDispatchesAsync(Record("node-a", new DispatchOutcome(instances[0].Id, 1, at), new DispatchOutcome(instances[1].Id, 1, at))));

        var dispatched = (await Store.GetInstanceAsync(instances[0].Id))!;
        Assert.Equal(TaskInstanceState.Dispatched, dispatched.Status);
        Assert.Equal(at, dispatched.DispatchedAt);
        Assert.Equal(at + definition.ExpireAfter, dispatched.DueAt);
        Assert.Null(dispatched.LeaseOwner);
        Assert.Null(dispatched.LeaseExpiresAt);
        Assert.Null(dispatched.FinishedAt);
        Assert.Equal(3, dispatched.Version);
    }

    [Fact]
    public async Task RecordDispatches_IgnoresOtherOwnersStaleAttemptsAndFinalInstances()
    {
        var (definition, instances) = await SeedAsync(Store, T0, T0.AddSeconds(1), T0.AddSeconds(2));
        await ClaimAsync(Claim("node-a", T0));
        Assert.Equal([true], await Store.ApplyOutcomesAsync([Completed(instances[2].Id, 1, T0)]));

        var updated = await Store.RecordDispatchesAsync(Record("node-a", new DispatchOutcome(instances[0].Id, 2, T0), new DispatchOutcome(instances[2].Id, 1, T0), new DispatchOutcome(Guid.NewGuid(), 1, T0)));
        var byOther = await Store.RecordDispatchesAsync(Record("node-b", new DispatchOutcome(instances[1].Id, 1, T0)));

        Assert.Equal(0, updated);
        Assert.Equal(0, byOther);
        Assert.All((await Store.GetInstancesAsync(definition.Id)).Take(2), i =>
        {
            Assert.Equal(TaskInstanceState.Claimed, i.Status);
            Assert.Equal("node-a", i.LeaseOwner);
        });
        Assert.Equal(TaskInstanceState.Completed, (await Store.GetInstanceAsync(instances[2].Id))!.Status);
    }

    [Fact]
    public async Task ExtendRunningAttempts_GivesEveryDispatchedAttemptItsExpireAfterAgain_NeverShortensOne()
    {
        var (definition, instances) = await SeedAsync(Store, T0, T0.AddSeconds(1), T0.AddSeconds(2));
        await ClaimAsync(Claim("node-a", T0.AddSeconds(2)));
        await Store.RecordDispatchesAsync(Record("node-a", new DispatchOutcome(instances[0].Id, 1, T0), new DispatchOutcome(instances[1].Id, 1, T0)));
        var longer = T0 + definition.ExpireAfter + TimeSpan.FromMinutes(5);
        Assert.Equal([true], await Store.ApplyOutcomesAsync([new InstanceOutcome(instances[1].Id, 1, OutcomeKind.Heartbeat, longer - definition.ExpireAfter)]));
        var outageEnd = T0 + definition.ExpireAfter + TimeSpan.FromSeconds(5); // the first attempt's expiry passed during the outage

        Assert.Equal(1, await Store.ExtendRunningAttemptsAsync(outageEnd));

        Assert.Equal(outageEnd + definition.ExpireAfter, (await Store.GetInstanceAsync(instances[0].Id))!.DueAt);
        Assert.Equal(longer, (await Store.GetInstanceAsync(instances[1].Id))!.DueAt); // already later: kept
        Assert.Equal(TaskInstanceState.Claimed, (await Store.GetInstanceAsync(instances[2].Id))!.Status); // not dispatched: untouched
        Assert.DoesNotContain(await ClaimAsync(Claim("node-b", outageEnd)), c => c.Instance.Id == instances[0].Id || c.Instance.Id == instances[1].Id);
    }

    [Fact]
    public async Task Claim_WithoutExpiredAttempts_LeavesExpiredAttemptsAlone_AndClaimsWhatIsDue()
    {
        var (definition, instances) = await SeedAsync(Store, T0, T0.AddMinutes(5));
        await ClaimAsync(Claim("node-a", T0));
        await Store.RecordDispatchesAsync(Record("node-a", new DispatchOutcome(instances[0].Id, 1, T0)));
        var later = T0.AddMinutes(5);

        var result = await Store.ClaimDueInstancesAsync(Claim("node-b", later) with { ExpiredAttempts = false });

        Assert.Equal([instances[1].Id], result.Claimed.Select(c => c.Instance.Id));
        Assert.Empty(result.DeadLettered);
        Assert.Equal(TaskInstanceState.Dispatched, (await Store.GetInstanceAsync(instances[0].Id))!.Status);
        Assert.Equal(instances[0].Id, Assert.Single(await ClaimAsync(Claim("node-b", later))).Instance.Id); // reports arrive again: claimed
    }

    [Fact]
    public async Task RecordDispatches_ExpiresAnAttemptNotStarted_AfterTheQueueTimeoutPlusExpireAfter()
    {
        var (definition, instances) = await SeedAsync(Store, T0);
        var id = instances[0].Id;
        var queue = TimeSpan.FromMinutes(10);
        await ClaimAsync(Claim("node-a", T0));
        await Store.RecordDispatchesAsync(new DispatchRecordRequest { Owner = "node-a", Outcomes = [new DispatchOutcome(id, 1, T0)], QueueTimeout = queue });

        Assert.Equal(T0 + queue + definition.ExpireAfter, (await Store.GetInstanceAsync(id))!.DueAt); // it may wait in the queue, then run
        Assert.Empty(await ClaimAsync(Claim("node-b", T0 + queue)));
        var started = T0 + TimeSpan.FromMinutes(3);
        Assert.Equal([true], await Store.ApplyOutcomesAsync([Started(id, 1, started)]));
        var stored = (await Store.GetInstanceAsync(id))!;
        Assert.Equal((started + definition.ExpireAfter, T0.AddSeconds(1)), (stored.DueAt, stored.StartedAt)); // ExpireAfter counts from the start
        Assert.Single(await ClaimAsync(Claim("node-b", started + definition.ExpireAfter)));
    }

    [Fact]
    public async Task Claim_DeadLettersALastAttemptNoWorkerStarted_WithTheQueueTimeoutAsItsReason()
    {
        var (definition, instances) = await SeedAsync(Store, T0);
        var now = T0;
        for (var attempt = 1; attempt <= definition.Retry.MaxAttempts; attempt++)
        {
            var claim = Assert.Single(await ClaimAsync(Claim("node-a", now)));
            Assert.Null(claim.Instance.StartedAt); // a new attempt has not started, whatever the last one did
            Assert.Equal(1, await Store.RecordDispatchesAsync(Record("node-a", new DispatchOutcome(claim.Instance.Id, attempt, now))));
            if (attempt == 1)
            {
                Assert.Equal([true], await Store.ApplyOutcomesAsync([Started(claim.Instance.Id, attempt, now)]));
            }

            now += definition.ExpireAfter;
        }

        var dead = Assert.Single((await Store.ClaimDueInstancesAsync(Claim("node-b", now))).DeadLettered);
        Assert.Equal(TaskInstanceLifecycle.NotStartedReason, dead.LastError);
        Assert.Equal(TaskInstanceLifecycle.NotStartedReason, (await Store.GetInstanceAsync(instances[0].Id))!.LastError);
    }

    [Fact]
    public async Task RecordDispatches_LeavesTheSagasRetryAlone_WhenTheFailureLandedFirst()
    {
        // A fast worker failed attempt 1 before the runner recorded its dispatch: the retry decision stands, the late record is fenced out.
        var (_, instances) = await SeedAsync(Store, T0);
        await ClaimAsync(Claim("node-a", T0));
        Assert.Equal([true], await Store.ApplyOutcomesAsync([Failed(instances[0].Id, 1, T0.AddSeconds(1), retryAt: T0.AddSeconds(4))]));

        Assert.Equal(0, await Store.RecordDispatchesAsync(Record("node-a", new DispatchOutcome(instances[0].Id, 1, T0))));

        var stored = (await Store.GetInstanceAsync(instances[0].Id))!;
        Assert.Equal((TaskInstanceState.Scheduled, 1, T0.AddSeconds(4)), (stored.Status, stored.Attempt, stored.DueAt));
        Assert.Null(stored.LeaseOwner);
        Assert.Equal("System.Exception: boom", stored.LastError);
    }

    [Fact]
    public async Task ReleaseClaims_UnreservesAttempt_OnlyForTheOwnersCurrentClaims()
    {
        var (_, instances) = await SeedAsync(Store, T0, T0.AddSeconds(1));
        await ClaimAsync(Claim("node-a", T0, maxCount: 1));
        await ClaimAsync(Claim("node-b", T0, maxCount: 1));

        var released = await Store.ReleaseClaimsAsync(new ReleaseRequest
        {
            Owner = "node-a",
            Claims = [new(instances[0].Id, 1), new(instances[0].Id, 1), new(instances[1].Id, 1), new(Guid.NewGuid(), 1)],
        });
        var stale = await Store.ReleaseClaimsAsync(new ReleaseRequest { Owner = "node-b", Claims = [new(instances[1].Id, 2)] });

        Assert.Equal(1, released);
        Assert.Equal(0, stale);
        var free = (await Store.GetInstanceAsync(instances[0].Id))!;
        Assert.Equal((TaskInstanceState.Scheduled, 0, T0), (free.Status, free.Attempt, free.DueAt));
        Assert.Null(free.LeaseOwner);
        Assert.Null(free.LeaseExpiresAt);
        Assert.Equal(3, free.Version);
        Assert.Equal("node-b", (await Store.GetInstanceAsync(instances[1].Id))!.LeaseOwner);
        var reclaimed = Assert.Single(await ClaimAsync(Claim("node-c", T0)));
        Assert.Equal(1, reclaimed.Instance.Attempt);
    }

    [Fact]
    public async Task RenewLeases_ExtendsOnlyTheClaimsTheOwnerStillHolds()
    {
        var (_, instances) = await SeedAsync(Store, T0, T0.AddSeconds(-1), T0.AddSeconds(-2));
        var claims = await ClaimAsync(Claim("node-a", T0));
        await Store.RecordDispatchesAsync(Record("node-a", new DispatchOutcome(instances[2].Id, 1, T0)));
        var until = T0.AddSeconds(50);

        var renewed = await Store.RenewLeasesAsync(new LeaseRenewalRequest
        {
            Owner = "node-a",
            Claims = [new(instances[0].Id, 1), new(instances[1].Id, 2), new(instances[2].Id, 1)],
            LeaseExpiresAt = until,
        });
        var byOther = await Store.RenewLeasesAsync(new LeaseRenewalRequest { Owner = "node-b", Claims = [new(instances[1].Id, 1)], LeaseExpiresAt = until });

        Assert.Equal([instances[0].Id], renewed);
        Assert.Empty(byOther);
        Assert.Equal(3, claims.Count);
        Assert.Equal(until, (await Store.GetInstanceAsync(instances[0].Id))!.LeaseExpiresAt);
        Assert.Equal(T0.AddSeconds(30), (await Store.GetInstanceAsync(instances[1].Id))!.LeaseExpiresAt);
        // At the old end of the lease only the claim that was not renewed can be taken over.
        Assert.Equal([instances[1].Id], (await ClaimAsync(Claim("node-b", T0.AddSeconds(30)))).Select(c => c.Instance.Id));
    }
}
