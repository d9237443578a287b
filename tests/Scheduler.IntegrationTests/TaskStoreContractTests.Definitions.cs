using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;
using static Scheduler.IntegrationTests.TestData;

namespace Scheduler.IntegrationTests;

/// <summary>The contract of <see cref="IDefinitionStore"/>.</summary>
public abstract partial class TaskStoreContractTests
{
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
    public async Task AddDefinitions_StoresEveryColumn_InABatchOfHundreds()
    {
        // 250 definitions: past the EF store's COPY threshold on PostgreSQL (100), so every column goes through the staging table too; one
        // definition sets every optional field, one leaves each unset.
        var full = new TaskDefinition
        {
            Id = Guid.NewGuid(), TriggerKind = TriggerKind.Text, Trigger = "0 9 * * 1", TriggerPhrase = "every monday at 9am",
            TimeZoneId = "America/New_York", StartAt = T0.AddDays(-2), Metadata = new Dictionary<string, string> { ["a"] = "1", ["b"] = "ü\"" },
            Payload = "{\"y\":2}", ExpireAfter = TimeSpan.FromSeconds(45.5), Retry = new RetryPolicy { MaxAttempts = 2, InitialBackoff = TimeSpan.FromSeconds(1) },
            Misfire = MisfirePolicy.FireAll, Overlap = OverlapPolicy.BufferOne, Calendar = "holidays", EndAt = T0.AddYears(2), MaxOccurrences = 7,
            LastFireTime = T0.AddMonths(1), Jitter = TimeSpan.FromSeconds(3), DestinationQueue = "billing", TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            IdempotencyKey = "full", CreatedAt = T0.AddHours(-3), NextFireTime = T0.AddMinutes(5), PausedAt = T0.AddMinutes(-1), ChangedAt = T0.AddMinutes(-1),
        };
        var bare = new TaskDefinition
        {
            Id = Guid.NewGuid(), TriggerKind = TriggerKind.Once, Trigger = "2026-12-07T10:00:00.000Z", TimeZoneId = "UTC", StartAt = T0,
            Metadata = new Dictionary<string, string>(), ExpireAfter = TimeSpan.FromMinutes(1), Retry = new RetryPolicy(), CreatedAt = T0,
        };
        var batch = Enumerable.Range(0, 248).Select(n => Definition(nextFireTime: T0.AddSeconds(n))).Prepend(full).Append(bare).ToList();

        var results = await Store.AddDefinitionsAsync(batch);

        Assert.All(results, r => Assert.False(r.AlreadyExisted));
        foreach (var definition in new[] { full, bare, batch[1], batch[^2] })
        {
            var stored = await Store.GetDefinitionAsync(definition.Id);
            Assert.NotNull(stored);
            Assert.Equal(Columns(definition), Columns(stored));
            Assert.Equal(1, stored.Version);
        }
    }

    [Fact]
    public async Task AddDefinitions_AnswersRepeats_OfTheBatchAndOfEarlierBatches_InABatchOfHundreds()
    {
        // 302 candidates: past the EF store's COPY threshold on PostgreSQL (100), so the staging table meets every kind of repeat.
        var storedById = Definition(nextFireTime: T0);
        var storedByKey = Definition(nextFireTime: T0, idempotencyKey: "stored-key");
        await Store.AddDefinitionsAsync([storedById, storedByKey]);
        var fresh = Enumerable.Range(0, 300).Select(n => Definition(nextFireTime: T0.AddSeconds(n), idempotencyKey: n % 3 == 0 ? $"bulk-{n}" : null)).ToList();
        var batch = fresh.Concat(
        [
            Definition(nextFireTime: T0.AddHours(1), id: storedById.Id),
            Definition(nextFireTime: T0.AddHours(1), idempotencyKey: "stored-key"),
            Definition(nextFireTime: T0.AddHours(1), id: fresh[7].Id),
            Definition(nextFireTime: T0.AddHours(1), idempotencyKey: "bulk-9"),
        ]).ToList();

        var results = await Store.AddDefinitionsAsync(batch);
        var again = await Store.AddDefinitionsAsync(batch); // a redelivered command: nothing is stored twice

        Assert.Equal(fresh.Select(d => d.Id), results.Take(300).Select(r => r.Definition.Id));
        Assert.All(results.Take(300), r => Assert.False(r.AlreadyExisted));
        Assert.Equal([storedById.Id, storedByKey.Id, fresh[7].Id, fresh[9].Id], results.Skip(300).Select(r => r.Definition.Id));
        Assert.All(results.Skip(300), r => Assert.True(r.AlreadyExisted));
        Assert.DoesNotContain(results, r => r.Definition.NextFireTime == T0.AddHours(1));
        Assert.Equal(results.Select(r => r.Definition.Id), again.Select(r => r.Definition.Id));
        Assert.All(again, r => Assert.True(r.AlreadyExisted));
        Assert.Null(await Store.GetDefinitionAsync(batch[301].Id));
        Assert.Equal(302, (await Store.ListDefinitionsAsync(new DefinitionQuery { Take = 1000 })).Count);
    }

    /// <summary>Every stored column of a definition but its version, comparable with Assert.Equal.</summary>
    private static string Columns(TaskDefinition d) => string.Join(" | ",
        d.Id, d.TriggerKind, d.Trigger, d.TriggerPhrase, d.TimeZoneId, d.StartAt.UtcTicks, string.Join(",", d.Metadata.OrderBy(m => m.Key, StringComparer.Ordinal)),
        d.Payload, d.ExpireAfter, d.Retry, d.Misfire, d.Overlap, d.Calendar, d.EndAt?.UtcTicks, d.MaxOccurrences, d.LastFireTime?.UtcTicks, d.Jitter,
        d.DestinationQueue, d.TraceParent, d.IdempotencyKey, d.CreatedAt.UtcTicks, d.NextFireTime?.UtcTicks, d.CancelledAt?.UtcTicks, d.PausedAt?.UtcTicks,
        d.ChangedAt?.UtcTicks);

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
}
