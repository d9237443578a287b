using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;
using static Scheduler.IntegrationTests.TestData;

namespace Scheduler.IntegrationTests;

/// <summary>The store operations behind pause, resume, update, trigger-now, the queries and the overlap policy, on every store.</summary>
public abstract partial class TaskStoreContractTests
{
    private static DefinitionChangeRequest Change(Guid id, DateTimeOffset now, Func<TaskDefinition, DefinitionEdit?> edit) =>
        new() { Id = id, Now = now, Edit = edit };

    private static DefinitionEdit Paused(TaskDefinition d, DateTimeOffset at)
    {
        var paused = d.Clone();
        paused.PausedAt = at;
        return new DefinitionEdit(paused, TakeBack.Rewind);
    }

    [Fact]
    public async Task ChangeDefinition_Rewind_DeletesOccurrencesNotBegun_KeepsBegunOnes_AndMovesNextFireTimeBack()
    {
        var (definition, instances) = await SeedAsync(Store, T0, T0.AddSeconds(1), T0.AddSeconds(2));
        var claims = await ClaimAsync(Claim("node-a", T0, maxCount: 2)); // T0 and T0+1 claimed; T0+1 stays only claimed
        await Store.RecordDispatchesAsync(Record("node-a", new DispatchOutcome(claims[0].Instance.Id, 1, T0))); // T0 begun (dispatched)
        await Store.ChangeDefinitionAsync(Change(definition.Id, T0, d => { var n = d.Clone(); n.NextFireTime = T0.AddMinutes(5); return new DefinitionEdit(n, TakeBack.None); }));

        var result = await Store.ChangeDefinitionAsync(Change(definition.Id, T0.AddSeconds(3), d => Paused(d, T0.AddSeconds(3))));

        Assert.True(result.Changed);
        var left = await Store.GetInstancesAsync(definition.Id);
        Assert.Equal([instances[0].Id], left.Select(i => i.Id));
        var stored = (await Store.GetDefinitionAsync(definition.Id))!;
        Assert.Equal((T0.AddSeconds(1), T0.AddSeconds(3), T0.AddSeconds(3), TaskState.Paused), (stored.NextFireTime, stored.PausedAt, stored.ChangedAt, stored.State));
        Assert.Equal(result.Definition!.Version, stored.Version);
        Assert.Equal([definition.Id], await Store.GetDefinitionsChangedSinceAsync(T0.AddSeconds(3)));
        // The claim on the occurrence taken back is gone: renewing it finds nothing.
        Assert.Empty(await Store.RenewLeasesAsync(new LeaseRenewalRequest
        {
            Owner = "node-a", Claims = [new ClaimToken(claims[1].Instance.Id, 1)], LeaseExpiresAt = T0.AddMinutes(1),
        }));
    }

    [Fact]
    public async Task ChangeDefinition_AnswersUnchanged_WhenTheEditIsNull_AndMissing_WhenThereIsNoDefinition()
    {
        var (definition, _) = await SeedAsync(Store, T0);
        var before = (await Store.GetDefinitionAsync(definition.Id))!;

        var same = await Store.ChangeDefinitionAsync(Change(definition.Id, T0, _ => null));
        var missing = await Store.ChangeDefinitionAsync(Change(Guid.NewGuid(), T0, d => Paused(d, T0)));

        Assert.False(same.Changed);
        Assert.Equal(before.Version, same.Definition!.Version);
        Assert.Single(await Store.GetInstancesAsync(definition.Id));
        Assert.Equal(new DefinitionChangeResult(null, false), missing);
    }

    [Fact]
    public async Task ChangeDefinition_WritesNothing_WhenTheEditThrows()
    {
        var (definition, _) = await SeedAsync(Store, T0);

        await Assert.ThrowsAsync<TaskValidationException>(() => Store.ChangeDefinitionAsync(Change(definition.Id, T0, _ => throw new TaskValidationException("no"))));

        Assert.Single(await Store.GetInstancesAsync(definition.Id));
        Assert.Null((await Store.GetDefinitionAsync(definition.Id))!.ChangedAt);
    }

    [Fact]
    public async Task Materialize_PlansNothingForAPausedDefinition()
    {
        var definition = Definition(nextFireTime: T0);
        await Store.AddDefinitionAsync(definition);
        await Store.ChangeDefinitionAsync(Change(definition.Id, T0, d => Paused(d, T0)));

        var result = await Store.MaterializeDueDefinitionsAsync(Materialize(T0, d => new MaterializePlan([Instance(d, T0)], null)));

        Assert.Equal(0, result.Definitions);
        Assert.Empty(await Store.GetInstancesAsync(definition.Id));
    }

    [Fact]
    public async Task ChangeDefinition_WritesEveryEditedField_ACancelledDefinitionMadeActiveAgainIncluded()
    {
        var definition = Definition(nextFireTime: T0);
        await Store.AddDefinitionAsync(definition);
        await Store.CancelDefinitionAsync(definition.Id, T0); // scheduled again below (SchedulingService.ScheduleAgainAsync)
        var edited = new TaskDefinition
        {
            Id = definition.Id, TriggerKind = TriggerKind.RRule, Trigger = "DTSTART:20300101T120000Z\nRRULE:FREQ=DAILY", TriggerPhrase = "every day at noon",
            TimeZoneId = "UTC", StartAt = T0, Metadata = new Dictionary<string, string> { ["tenant"] = "globex" }, Payload = "p2",
            ExpireAfter = TimeSpan.FromMinutes(9), Retry = new RetryPolicy { MaxAttempts = 7 }, Misfire = MisfirePolicy.FireAll,
            Overlap = OverlapPolicy.BufferOne, DestinationQueue = "other-queue", IdempotencyKey = "key-2", CreatedAt = T0.AddSeconds(1),
            NextFireTime = T0.AddDays(1), TraceParent = "00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01",
            Jitter = TimeSpan.FromSeconds(7), EndAt = T0.AddDays(30), MaxOccurrences = 12, LastFireTime = T0.AddDays(12),
        };

        await Store.ChangeDefinitionAsync(Change(definition.Id, T0, _ => new DefinitionEdit(edited, TakeBack.Replan)));

        var stored = (await Store.GetDefinitionAsync(definition.Id))!;
        Assert.Equal((edited.TriggerKind, edited.Trigger, edited.TriggerPhrase, edited.TimeZoneId, edited.StartAt, edited.Payload, edited.ExpireAfter),
            (stored.TriggerKind, stored.Trigger, stored.TriggerPhrase, stored.TimeZoneId, stored.StartAt, stored.Payload, stored.ExpireAfter));
        Assert.Equal((edited.Retry, edited.Misfire, edited.Overlap, edited.NextFireTime), (stored.Retry, stored.Misfire, stored.Overlap, stored.NextFireTime));
        Assert.Equal(edited.Metadata, stored.Metadata);
        Assert.Equal((edited.Jitter, edited.EndAt, edited.MaxOccurrences, edited.LastFireTime), (stored.Jitter, stored.EndAt, stored.MaxOccurrences, stored.LastFireTime));
        Assert.Equal((edited.DestinationQueue, edited.IdempotencyKey, edited.CreatedAt, edited.TraceParent, (DateTimeOffset?)null, TaskState.Active),
            (stored.DestinationQueue, stored.IdempotencyKey, stored.CreatedAt, stored.TraceParent, stored.CancelledAt, stored.State));
    }

    [Fact]
    public async Task AddInstance_AddsOnce_PerIdAndPerFireTime_AndNeverToACancelledDefinition()
    {
        var definition = Definition(nextFireTime: T0.AddHours(1));
        await Store.AddDefinitionAsync(definition);
        var instance = Instance(definition, T0);

        var first = await Store.AddInstanceAsync(instance);
        var again = await Store.AddInstanceAsync(instance);
        var sameFireTime = await Store.AddInstanceAsync(Instance(definition, T0));
        var missing = await Store.AddInstanceAsync(Instance(Definition(), T0));
        await Store.CancelDefinitionAsync(definition.Id, T0);
        var cancelled = await Store.AddInstanceAsync(Instance(definition, T0.AddSeconds(1)));

        Assert.Equal((true, false, false, false), (first.Added, again.Added, sameFireTime.Added, missing.Added));
        Assert.Null(missing.Definition);
        Assert.Equal((false, TaskState.Cancelled), (cancelled.Added, cancelled.Definition!.State));
        var claimed = await ClaimAsync(Claim("node-a", T0.AddDays(-1), window: TimeSpan.FromDays(2)));
        Assert.Empty(claimed); // the added instance was cancelled with its task
        Assert.Equal(TaskInstanceState.Cancelled, (await Store.GetInstanceAsync(instance.Id))!.Status);
    }

    [Fact]
    public async Task ListDefinitions_FiltersByStateAndMetadata_InCreationOrder_WithPaging()
    {
        var a = Definition(nextFireTime: T0, createdAt: T0.AddMinutes(-3));
        var b = Definition(nextFireTime: T0, createdAt: T0.AddMinutes(-2));
        var c = new TaskDefinition
        {
            Id = Guid.NewGuid(), TriggerKind = TriggerKind.Once, Trigger = "2030-01-01T12:00:00Z", TimeZoneId = "UTC", StartAt = T0,
            Metadata = new Dictionary<string, string> { ["tenant"] = "globex", ["odd key \"q\""] = "v'1" }, ExpireAfter = TimeSpan.FromMinutes(1),
            Retry = RetryPolicy.Default, CreatedAt = T0.AddMinutes(-1), NextFireTime = null,
        };
        await Store.AddDefinitionsAsync([a, b, c]);
        await Store.ChangeDefinitionAsync(Change(b.Id, T0, d => Paused(d, T0)));

        async Task<Guid[]> Ids(DefinitionQuery q) => (await Store.ListDefinitionsAsync(q)).Select(d => d.Id).ToArray();
        Assert.Equal([a.Id, b.Id, c.Id], await Ids(new DefinitionQuery { Take = 10 }));
        Assert.Equal([b.Id], await Ids(new DefinitionQuery { Skip = 1, Take = 1 }));
        Assert.Equal([a.Id], await Ids(new DefinitionQuery { Take = 10, State = TaskState.Active }));
        Assert.Equal([b.Id], await Ids(new DefinitionQuery { Take = 10, State = TaskState.Paused }));
        Assert.Equal([c.Id], await Ids(new DefinitionQuery { Take = 10, State = TaskState.Finished }));
        Assert.Equal([a.Id, b.Id], await Ids(new DefinitionQuery { Take = 10, MetadataKey = "tenant", MetadataValue = "acme" }));
        Assert.Equal([a.Id, b.Id, c.Id], await Ids(new DefinitionQuery { Take = 10, MetadataKey = "tenant" }));
        Assert.Equal([c.Id], await Ids(new DefinitionQuery { Take = 10, MetadataKey = "odd key \"q\"", MetadataValue = "v'1" }));
        Assert.Equal([b.Id], await Ids(new DefinitionQuery { Take = 10, MetadataKey = "tenant", MetadataValue = "acme", State = TaskState.Paused }));
        Assert.Empty(await Ids(new DefinitionQuery { Take = 10, MetadataKey = "tenant", MetadataValue = "acme'; DROP TABLE task_definitions; --" }));
    }

    [Fact]
    public async Task ListInstances_LatestFirst_FilteredByStatus_WithPaging()
    {
        var (definition, instances) = await SeedAsync(Store, T0, T0.AddSeconds(1), T0.AddSeconds(2));
        await ClaimAsync(Claim("node-a", T0, maxCount: 1));

        async Task<Guid[]> Ids(InstanceQuery q) => (await Store.ListInstancesAsync(q)).Select(i => i.Id).ToArray();
        Assert.Equal([instances[2].Id, instances[1].Id, instances[0].Id], await Ids(new InstanceQuery { DefinitionId = definition.Id, Take = 10 }));
        Assert.Equal([instances[1].Id], await Ids(new InstanceQuery
        {
            DefinitionId = definition.Id, After = new InstanceCursor(instances[2].FireTime, instances[2].Id), Take = 1,
        }));
        Assert.Equal([instances[0].Id], await Ids(new InstanceQuery { DefinitionId = definition.Id, Take = 10, Status = TaskInstanceState.Claimed }));
        Assert.Empty(await Ids(new InstanceQuery { DefinitionId = Guid.NewGuid(), Take = 10 }));
    }

    /// <summary>Issue #20, item 3: instances of every task by state, paged by keyset: ties of fire time (many tasks firing at once) are ordered
    /// by id, so paging one row at a time meets every row once.</summary>
    [Fact]
    public async Task ListInstances_AcrossTasks_ByState_PagesByKeyset_ThroughTiesOfFireTime()
    {
        var seeded = new List<TaskInstance>();
        for (var n = 0; n < 4; n++)
        {
            seeded.AddRange((await SeedAsync(Store, T0, T0.AddSeconds(-1))).Instances); // 4 tasks, each due at T0 - 1 s and at T0
        }

        Assert.Equal(4, (await ClaimAsync(Claim("node-a", T0.AddSeconds(-1), window: TimeSpan.Zero))).Count); // the earlier ones: Claimed
        var scheduled = seeded.Where(i => i.FireTime == T0).OrderByDescending(i => i.Id).Select(i => i.Id).ToList();

        var pages = new List<Guid>();
        InstanceCursor? after = null;
        while (true)
        {
            var page = await Store.ListInstancesAsync(new InstanceQuery { Status = TaskInstanceState.Scheduled, After = after, Take = 1 });
            if (page.Count == 0)
            {
                break;
            }

            pages.Add(page[0].Id);
            after = new InstanceCursor(page[0].FireTime, page[0].Id);
        }

        Assert.Equal(scheduled, pages);
        var all = await Store.ListInstancesAsync(new InstanceQuery { Take = 100 });
        Assert.Equal(seeded.OrderByDescending(i => i.FireTime).ThenByDescending(i => i.Id).Select(i => i.Id), all.Select(i => i.Id));
        Assert.Equal(4, (await Store.ListInstancesAsync(new InstanceQuery { Status = TaskInstanceState.Claimed, Take = 100 })).Count);
    }

    [Fact]
    public async Task OpenOccurrences_AreTheInstancesNotFinal_WithWhetherTheyBegan()
    {
        var (definition, instances) = await SeedAsync(Store, T0, T0.AddSeconds(1), T0.AddSeconds(2));
        var claims = await ClaimAsync(Claim("node-a", T0, maxCount: 2));
        await Store.RecordDispatchesAsync(Record("node-a", new DispatchOutcome(claims[0].Instance.Id, 1, T0)));
        await Store.EndClaimsAsync(new EndClaimsRequest
        {
            Owner = "node-a", Claims = [new ClaimToken(claims[1].Instance.Id, 1)], Status = TaskInstanceState.Skipped, At = T0, Reason = "overlap",
        });

        var open = await Store.GetOpenOccurrencesAsync([definition.Id, Guid.NewGuid()]);

        Assert.Equal([(instances[0].Id, true), (instances[2].Id, false)], open.OrderBy(o => o.FireTime).Select(o => (o.InstanceId, o.Begun)));
        var skipped = (await Store.GetInstanceAsync(instances[1].Id))!;
        Assert.Equal((TaskInstanceState.Skipped, "overlap", T0, (DateTimeOffset?)null), (skipped.Status, skipped.LastError, skipped.FinishedAt!.Value, skipped.DueAt));
        Assert.True(skipped.IsFinal);
    }

    [Fact]
    public async Task ReleaseClaims_MovesTheDueTime_WhenGiven()
    {
        var (_, instances) = await SeedAsync(Store, T0);
        var claim = Assert.Single(await ClaimAsync(Claim("node-a", T0)));

        await Store.ReleaseClaimsAsync(new ReleaseRequest { Owner = "node-a", Claims = [new ClaimToken(claim.Instance.Id, 1)], DueAt = T0.AddSeconds(1) });

        var stored = (await Store.GetInstanceAsync(instances[0].Id))!;
        Assert.Equal((TaskInstanceState.Scheduled, 0, T0.AddSeconds(1)), (stored.Status, stored.Attempt, stored.DueAt!.Value));
        Assert.Empty(await ClaimAsync(Claim("node-b", T0.AddSeconds(-10), window: TimeSpan.FromSeconds(10))));
    }
}
