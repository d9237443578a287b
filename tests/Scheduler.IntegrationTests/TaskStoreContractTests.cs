using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;
using static Scheduler.IntegrationTests.TestData;

namespace Scheduler.IntegrationTests;

/// <summary>The documented semantics of every <see cref="ITaskStore"/> operation; each store runs this suite against an empty store per test.</summary>
public abstract partial class TaskStoreContractTests : IAsyncLifetime
{
    private ITaskStore? _store;

    protected ITaskStore Store => _store ?? throw new InvalidOperationException("Not initialized.");

    /// <summary>An empty store for one test.</summary>
    protected abstract Task<ITaskStore> CreateEmptyStoreAsync();

    public async Task InitializeAsync() => _store = await CreateEmptyStoreAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task JoinCluster_RecordsTheFirstClusterName_AndNeverChangesIt()
    {
        var first = await Store.JoinClusterAsync("alpha", T0);
        var again = await Store.JoinClusterAsync("alpha", T0.AddMinutes(1));
        var other = await Store.JoinClusterAsync("beta", T0.AddMinutes(2));

        Assert.Equal("alpha", first.ClusterName);
        Assert.NotEqual(Guid.Empty, first.DatabaseId);
        Assert.Equal(first, again);
        Assert.Equal(first, other); // a node of cluster beta is told who owns the database
    }

    [Fact]
    public async Task LeaveCluster_RemovesTheOwner_OnlyWhileTheDatabaseHoldsNoTask()
    {
        var first = await Store.JoinClusterAsync("alpha", T0);
        var stranger = first with { DatabaseId = Guid.NewGuid() };

        Assert.False(await Store.LeaveClusterAsync(stranger));
        Assert.True(await Store.LeaveClusterAsync(first));
        var second = await Store.JoinClusterAsync("beta", T0); // the database may join another cluster now
        Assert.Equal("beta", second.ClusterName);
        await Store.AddDefinitionAsync(Definition(nextFireTime: T0));
        Assert.False(await Store.LeaveClusterAsync(second)); // a database with tasks keeps its owner
        Assert.Equal(second, await Store.JoinClusterAsync("gamma", T0));
    }

    [Fact]
    public async Task JoinCluster_RecordsOneOwner_WhenNodesOfTwoClustersJoinAtOnce()
    {
        var identities = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Store.JoinClusterAsync(i % 2 == 0 ? "alpha" : "beta", T0)));

        Assert.Single(identities.Distinct());
    }

    [Fact]
    public async Task AddDefinition_StoresEveryField_WithVersion1()
    {
        var definition = Definition(nextFireTime: T0, idempotencyKey: "k1");

        var result = await Store.AddDefinitionAsync(definition);
        var stored = await Store.GetDefinitionAsync(definition.Id);

        Assert.False(result.AlreadyExisted);
        Assert.Equal(1, result.Definition.Version);
        Assert.NotNull(stored);
        Assert.Equal(definition.TriggerKind, stored.TriggerKind);
        Assert.Equal(definition.Trigger, stored.Trigger);
        Assert.Equal(definition.TimeZoneId, stored.TimeZoneId);
        Assert.Equal(definition.StartAt, stored.StartAt);
        Assert.Equal(definition.Metadata, stored.Metadata);
        Assert.Equal(definition.Payload, stored.Payload);
        Assert.Equal(definition.ExpireAfter, stored.ExpireAfter);
        Assert.Equal(definition.Retry, stored.Retry);
        Assert.Equal(definition.Misfire, stored.Misfire);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), stored.Jitter);
        Assert.Equal((T0.AddYears(1), 50_000, T0.AddMonths(6)), (stored.EndAt, stored.MaxOccurrences, stored.LastFireTime));
        Assert.Equal(definition.DestinationQueue, stored.DestinationQueue);
        Assert.Equal(definition.TraceParent, stored.TraceParent);
        Assert.Equal("k1", stored.IdempotencyKey);
        Assert.Equal(definition.CreatedAt, stored.CreatedAt);
        Assert.Equal(T0, stored.NextFireTime);
        Assert.Null(stored.CancelledAt);
        Assert.Equal(1, stored.Version);
    }

    [Fact]
    public async Task AddDefinition_ReturnsExisting_WhenIdExists()
    {
        var first = Definition(nextFireTime: T0);
        await Store.AddDefinitionAsync(first);
        var again = Definition(nextFireTime: T0.AddHours(1), id: first.Id);

        var result = await Store.AddDefinitionAsync(again);

        Assert.True(result.AlreadyExisted);
        Assert.Equal(T0, result.Definition.NextFireTime);
        Assert.Equal(T0, (await Store.GetDefinitionAsync(first.Id))!.NextFireTime);
    }

    [Fact]
    public async Task AddDefinition_ReturnsExisting_WhenIdempotencyKeyExists()
    {
        var first = Definition(nextFireTime: T0, idempotencyKey: "same");
        await Store.AddDefinitionAsync(first);
        var second = Definition(nextFireTime: T0, idempotencyKey: "same");

        var result = await Store.AddDefinitionAsync(second);

        Assert.True(result.AlreadyExisted);
        Assert.Equal(first.Id, result.Definition.Id);
        Assert.Null(await Store.GetDefinitionAsync(second.Id));
    }

    [Fact]
    public async Task AddDefinition_StoresBoth_WhenNeitherHasAKey()
    {
        var a = await Store.AddDefinitionAsync(Definition(nextFireTime: T0));
        var b = await Store.AddDefinitionAsync(Definition(nextFireTime: T0));

        Assert.False(a.AlreadyExisted);
        Assert.False(b.AlreadyExisted);
    }

    [Fact]
    public async Task AddDefinitions_ReturnsEmpty_WhenTheBatchIsEmpty()
    {
        Assert.Empty(await Store.AddDefinitionsAsync([]));
    }

    [Fact]
    public async Task AddDefinitions_StoresEach_AndAnswersInInputOrder_AcrossStatementChunks()
    {
        // 2,500 definitions: more than one multi-row INSERT of the EF store (1,000 rows each).
        var definitions = Enumerable.Range(0, 2500)
            .Select(n => Definition(nextFireTime: T0.AddSeconds(n), idempotencyKey: n % 2 == 0 ? $"key-{n}" : null))
            .ToList();

        var results = await Store.AddDefinitionsAsync(definitions);

        Assert.Equal(definitions.Select(d => d.Id), results.Select(r => r.Definition.Id));
        Assert.All(results, r => Assert.False(r.AlreadyExisted));
        Assert.All(results, r => Assert.Equal(1, r.Definition.Version));
        Assert.Equal(definitions.Select(d => d.NextFireTime), results.Select(r => r.Definition.NextFireTime));
        var last = await Store.GetDefinitionAsync(definitions[^1].Id);
        Assert.Equal(T0.AddSeconds(2499), last!.NextFireTime);
        Assert.Equal("key-2498", (await Store.GetDefinitionAsync(definitions[^2].Id))!.IdempotencyKey);
    }

    [Fact]
    public async Task AddDefinitions_StoresTheFirst_WhenTheBatchRepeatsAnId()
    {
        var first = Definition(nextFireTime: T0);
        var repeat = Definition(nextFireTime: T0.AddHours(1), id: first.Id);
        var other = Definition(nextFireTime: T0);

        var results = await Store.AddDefinitionsAsync([first, repeat, other]);

        Assert.Equal([false, true, false], results.Select(r => r.AlreadyExisted));
        Assert.Equal([first.Id, first.Id, other.Id], results.Select(r => r.Definition.Id));
        Assert.Equal(T0, results[1].Definition.NextFireTime);
        Assert.Equal(T0, (await Store.GetDefinitionAsync(first.Id))!.NextFireTime);
        Assert.NotNull(await Store.GetDefinitionAsync(other.Id));
    }

    [Fact]
    public async Task AddDefinitions_StoresTheFirst_WhenTheBatchRepeatsAnIdempotencyKey()
    {
        var first = Definition(nextFireTime: T0, idempotencyKey: "same");
        var repeat = Definition(nextFireTime: T0.AddHours(1), idempotencyKey: "same");

        var results = await Store.AddDefinitionsAsync([first, repeat]);

        Assert.Equal([false, true], results.Select(r => r.AlreadyExisted));
        Assert.Equal([first.Id, first.Id], results.Select(r => r.Definition.Id));
        Assert.Null(await Store.GetDefinitionAsync(repeat.Id));
    }

    [Fact]
    public async Task AddDefinitions_AnswersExistingOnes_AndStoresTheNewOnes_WhenTheBatchMixesThem()
    {
        var byId = Definition(nextFireTime: T0);
        var byKey = Definition(nextFireTime: T0, idempotencyKey: "known");
        await Store.AddDefinitionsAsync([byId, byKey]);
        var batch = new[]
        {
            Definition(nextFireTime: T0.AddMinutes(1)),
            Definition(nextFireTime: T0.AddHours(1), id: byId.Id),
            Definition(nextFireTime: T0.AddMinutes(2), idempotencyKey: "new"),
            Definition(nextFireTime: T0.AddHours(1), idempotencyKey: "known"),
            Definition(nextFireTime: T0.AddMinutes(3)),
        };

        var results = await Store.AddDefinitionsAsync(batch);

        Assert.Equal([false, true, false, true, false], results.Select(r => r.AlreadyExisted));
        Assert.Equal([batch[0].Id, byId.Id, batch[2].Id, byKey.Id, batch[4].Id], results.Select(r => r.Definition.Id));
        Assert.Equal(T0, results[1].Definition.NextFireTime);
        Assert.Equal("known", results[3].Definition.IdempotencyKey);
        Assert.Null(await Store.GetDefinitionAsync(batch[3].Id));
        Assert.Equal(T0.AddMinutes(3), (await Store.GetDefinitionAsync(batch[4].Id))!.NextFireTime);
    }

    [Fact]
    public async Task AddDefinitions_AnswersTheStoredOne_WhenARepeatWithinTheBatchRepeatsAnExistingOne()
    {
        var stored = Definition(nextFireTime: T0, idempotencyKey: "k");
        await Store.AddDefinitionAsync(stored);
        var collides = Definition(nextFireTime: T0.AddHours(1), idempotencyKey: "k");
        var repeatsIt = Definition(nextFireTime: T0.AddHours(2), id: collides.Id);

        var results = await Store.AddDefinitionsAsync([collides, repeatsIt]);

        Assert.All(results, r => Assert.True(r.AlreadyExisted));
        Assert.All(results, r => Assert.Equal(stored.Id, r.Definition.Id));
        Assert.Null(await Store.GetDefinitionAsync(collides.Id));
    }

    [Fact]
    public async Task AddDefinitions_StoreEachKeyOnce_WhenTwoConcurrentBatchesOverlap()
    {
        // Keys 0-149 and 100-249: the 50 shared keys must be stored once, by one batch or the other, and answered alike to both.
        var left = Enumerable.Range(0, 150).Select(n => Definition(nextFireTime: T0, idempotencyKey: $"overlap-{n}")).ToList();
        var right = Enumerable.Range(100, 150).Select(n => Definition(nextFireTime: T0, idempotencyKey: $"overlap-{n}")).ToList();

        var results = await Task.WhenAll(Task.Run(() => Store.AddDefinitionsAsync(left)), Task.Run(() => Store.AddDefinitionsAsync(right)));

        var all = results.SelectMany(r => r).ToList();
        Assert.Equal(250, all.Count(r => !r.AlreadyExisted));
        Assert.Equal(50, all.Count(r => r.AlreadyExisted));
        Assert.All(all.GroupBy(r => r.Definition.IdempotencyKey), g => Assert.Single(g.Select(r => r.Definition.Id).Distinct()));
        foreach (var shared in all.Where(r => r.AlreadyExisted))
        {
            Assert.NotNull(await Store.GetDefinitionAsync(shared.Definition.Id));
        }
    }

    [Fact]
    public async Task GetDefinitionAndInstance_ReturnNull_WhenMissing()
    {
        Assert.Null(await Store.GetDefinitionAsync(Guid.NewGuid()));
        Assert.Null(await Store.GetInstanceAsync(Guid.NewGuid()));
        Assert.Empty(await Store.GetInstancesAsync(Guid.NewGuid()));
    }

    [Fact]
    public async Task CancelDefinition_ClearsNextFireTime_AndCancelsScheduledInstances_ClaimedOrNot()
    {
        var (definition, instances) = await SeedAsync(Store, T0, T0.AddSeconds(1), T0.AddMinutes(5));
        var claimed = await ClaimAsync(Claim("node-a", T0, maxCount: 1));
        Assert.Equal(instances[0].Id, Assert.Single(claimed).Instance.Id);
        var now = T0.AddSeconds(3);

        Assert.True(await Store.CancelDefinitionAsync(definition.Id, now));

        var stored = await Store.GetDefinitionAsync(definition.Id);
        Assert.Null(stored!.NextFireTime);
        Assert.Equal(now, stored.CancelledAt);
        Assert.All(await Store.GetInstancesAsync(definition.Id), i =>
        {
            Assert.Equal(TaskInstanceState.Cancelled, i.Status);
            Assert.Null(i.DueAt);
            Assert.Null(i.LeaseOwner);
            Assert.Equal(now, i.FinishedAt);
        });
        Assert.Equal(0, await Store.RecordDispatchesAsync(Record("node-a", new DispatchOutcome(instances[0].Id, claimed[0].Instance.Attempt, now))));
        Assert.Equal([definition.Id], await Store.GetDefinitionsChangedSinceAsync(now));
        Assert.Empty(await Store.GetDefinitionsChangedSinceAsync(now.AddTicks(10)));
    }

    [Fact]
    public async Task CancelDefinition_ReturnsFalse_WhenMissingOrCancelledAlready()
    {
        var definition = Definition(nextFireTime: T0);
        await Store.AddDefinitionAsync(definition);

        Assert.False(await Store.CancelDefinitionAsync(Guid.NewGuid(), T0));
        Assert.True(await Store.CancelDefinitionAsync(definition.Id, T0));
        Assert.False(await Store.CancelDefinitionAsync(definition.Id, T0.AddSeconds(1)));
        Assert.Equal(T0, (await Store.GetDefinitionAsync(definition.Id))!.CancelledAt);
    }

    [Fact]
    public async Task Materialize_InsertsPlannedInstances_AndAdvancesNextFireTime()
    {
        var due = Definition(nextFireTime: T0.AddSeconds(5));
        var later = Definition(nextFireTime: T0.AddMinutes(1));
        await Store.AddDefinitionAsync(due);
        await Store.AddDefinitionAsync(later);
        var planned = new List<TaskInstance> { Instance(due, T0.AddSeconds(5)), Instance(due, T0.AddSeconds(8)) };
        var seen = new List<Guid>();

        var result = await Store.MaterializeDueDefinitionsAsync(Materialize(T0, d =>
        {
            seen.Add(d.Id);
            Assert.Equal(T0.AddSeconds(5), d.NextFireTime);
            Assert.Equal(due.Metadata, d.Metadata);
            return new MaterializePlan(planned, T0.AddMinutes(5));
        }));

        Assert.Equal(new MaterializeResult(1, 2, T0.AddSeconds(5)), result);
        Assert.Equal([due.Id], seen.Distinct());
        var stored = await Store.GetDefinitionAsync(due.Id);
        Assert.Equal(T0.AddMinutes(5), stored!.NextFireTime);
        Assert.Equal(2, stored.Version);
        Assert.Equal(T0.AddMinutes(1), (await Store.GetDefinitionAsync(later.Id))!.NextFireTime);
        var instances = await Store.GetInstancesAsync(due.Id);
        Assert.Equal(planned.Select(i => i.Id), instances.Select(i => i.Id));
        Assert.All(instances, i =>
        {
            Assert.Equal(TaskInstanceState.Scheduled, i.Status);
            Assert.Equal(1, i.Version);
            Assert.Equal(0, i.Attempt);
            Assert.Equal(due.Retry, i.Retry);
            Assert.Equal(due.ExpireAfter, i.ExpireAfter);
            Assert.Equal(i.FireTime, i.DueAt);
        });
    }

    [Fact]
    public async Task Materialize_SkipsOccurrencesThatExist()
    {
        var definition = Definition(nextFireTime: T0);
        await Store.AddDefinitionAsync(definition);
        await Store.MaterializeDueDefinitionsAsync(Materialize(T0, _ => new MaterializePlan([Instance(definition, T0)], T0)));

        var result = await Store.MaterializeDueDefinitionsAsync(Materialize(T0,
            _ => new MaterializePlan([Instance(definition, T0), Instance(definition, T0.AddSeconds(1))], null)));

        Assert.Equal(1, result.Definitions);
        Assert.Equal(1, result.Instances);
        Assert.Equal(T0.AddSeconds(1), result.EarliestDueAt);
        Assert.Equal([T0, T0.AddSeconds(1)], (await Store.GetInstancesAsync(definition.Id)).Select(i => i.FireTime));
        Assert.Null((await Store.GetDefinitionAsync(definition.Id))!.NextFireTime);
    }

    [Fact]
    public async Task Materialize_TakesEarliestDefinitionsFirst_UpToMaxDefinitions()
    {
        var definitions = Enumerable.Range(0, 5).Select(n => Definition(nextFireTime: T0.AddSeconds(-n))).ToList();
        foreach (var d in definitions)
        {
            await Store.AddDefinitionAsync(d);
        }

        var seen = new List<Guid>();
        var result = await Store.MaterializeDueDefinitionsAsync(Materialize(T0, d =>
        {
            seen.Add(d.Id);
            return new MaterializePlan([], null);
        }, maxDefinitions: 2));

        Assert.Equal(new MaterializeResult(2, 0, null), result);
        Assert.Equal(new[] { definitions[4].Id, definitions[3].Id }.Order(), seen.Distinct().Order());
    }

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

    [Fact]
    public async Task Cleanup_DeletesOldFinalInstances_ThenSpentDefinitionsWithoutInstances()
    {
        var (spent, instances) = await SeedAsync(Store, T0, T0.AddSeconds(1));
        var (live, liveInstances) = await SeedAsync(Store, T0.AddSeconds(2));
        await Store.CancelDefinitionAsync(spent.Id, T0);            // both instances cancelled, finished at T0
        var recent = Definition(nextFireTime: null, createdAt: T0.AddDays(1));
        await Store.AddDefinitionAsync(recent);
        var firing = Definition(nextFireTime: T0.AddDays(1), createdAt: T0.AddDays(-1));
        await Store.AddDefinitionAsync(firing);

        var result = await Store.CleanupAsync(new CleanupRequest { FinishedBefore = T0.AddSeconds(1), MaxCount = 100 });

        Assert.Equal(new CleanupResult(2, 1), result);
        Assert.Null(await Store.GetDefinitionAsync(spent.Id));
        foreach (var instance in instances)
        {
            Assert.Null(await Store.GetInstanceAsync(instance.Id));
        }

        Assert.NotNull(await Store.GetDefinitionAsync(live.Id));
        Assert.NotNull(await Store.GetInstanceAsync(liveInstances[0].Id));
        Assert.NotNull(await Store.GetDefinitionAsync(recent.Id));
        Assert.NotNull(await Store.GetDefinitionAsync(firing.Id));
    }

    [Fact]
    public async Task Cleanup_KeepsInstancesFinishedAtOrAfterTheCutoff_AndHonoursMaxCount()
    {
        var (definition, _) = await SeedAsync(Store, T0, T0.AddSeconds(1), T0.AddSeconds(2));
        await Store.CancelDefinitionAsync(definition.Id, T0);

        Assert.Equal(new CleanupResult(0, 0), await Store.CleanupAsync(new CleanupRequest { FinishedBefore = T0, MaxCount = 100 }));
        Assert.Equal(2, (await Store.CleanupAsync(new CleanupRequest { FinishedBefore = T0.AddTicks(10), MaxCount = 2 })).Instances);
        Assert.Equal(new CleanupResult(1, 1), await Store.CleanupAsync(new CleanupRequest { FinishedBefore = T0.AddTicks(10), MaxCount = 2 }));
    }

    [Fact]
    public async Task GetInstances_OrdersByFireTime()
    {
        var (definition, _) = await SeedAsync(Store, T0.AddSeconds(3), T0.AddSeconds(1), T0.AddSeconds(2));

        Assert.Equal([T0.AddSeconds(1), T0.AddSeconds(2), T0.AddSeconds(3)], (await Store.GetInstancesAsync(definition.Id)).Select(i => i.FireTime));
    }

    private async Task<IReadOnlyList<ClaimedInstance>> ClaimAsync(ClaimRequest request) => (await Store.ClaimDueInstancesAsync(request)).Claimed;

    /// <summary>Records dispatches with no queue timeout: an attempt not started expires ExpireAfter after its dispatch.</summary>
    private static DispatchRecordRequest Record(string owner, params DispatchOutcome[] outcomes) =>
        new() { Owner = owner, Outcomes = outcomes, QueueTimeout = TimeSpan.Zero };

    private static InstanceOutcome Completed(Guid id, int attempt, DateTimeOffset at, DateTimeOffset? reportedAt = null) =>
        new(id, attempt, OutcomeKind.Completed, at) { StartedAt = T0.AddSeconds(1), ReportedCompletedAt = reportedAt ?? at };

    private static InstanceOutcome Started(Guid id, int attempt, DateTimeOffset at) => new(id, attempt, OutcomeKind.Started, at) { StartedAt = T0.AddSeconds(1) };

    private static InstanceOutcome Failed(Guid id, int attempt, DateTimeOffset at, DateTimeOffset? retryAt) =>
        new(id, attempt, retryAt is null ? OutcomeKind.DeadLettered : OutcomeKind.RetryScheduled, at) { RetryAt = retryAt, Error = "System.Exception: boom" };
}
