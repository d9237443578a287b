using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;
using static Scheduler.IntegrationTests.TestData;

namespace Scheduler.IntegrationTests;

/// <summary>Issue #20, item 3: the filters of the instances across tasks (<see cref="InstanceQuery"/>) on every store: by the task's
/// destination queue and metadata entry, by fire time and finish time ranges, combined, with keyset paging kept.</summary>
public abstract partial class TaskStoreContractTests
{
    [Fact]
    public async Task ListInstances_FiltersByDestination_Metadata_AndTimeRanges_AndPagesByKeysetWithinTheFilter()
    {
        var reports = Definition(nextFireTime: T0.AddYears(-1)); // destination "reports", tenant=acme
        var billing = new TaskDefinition
        {
            Id = Guid.NewGuid(), TriggerKind = TriggerKind.Cron, Trigger = "* * * * *", TimeZoneId = "UTC", StartAt = T0.AddDays(-1),
            Metadata = new Dictionary<string, string> { ["tenant"] = "globex", ["odd 'k\""] = "v'1" }, ExpireAfter = TimeSpan.FromMinutes(1),
            Retry = RetryPolicy.Default, CreatedAt = T0.AddDays(-1), NextFireTime = T0.AddYears(-1), DestinationQueue = "billing",
        };
        await Store.AddDefinitionsAsync([reports, billing]);
        var r = new[] { Instance(reports, T0.AddMinutes(-2)), Instance(reports, T0.AddMinutes(-1)), Instance(reports, T0) };
        var b = new[] { Instance(billing, T0.AddMinutes(-1)), Instance(billing, T0) };
        await Store.MaterializeDueDefinitionsAsync(Materialize(T0, d => new MaterializePlan(d.Id == reports.Id ? r : b, null)));
        // The earliest instance finishes (Completed) at T0 - 2 min + 5 s; every other one is Scheduled, not finished.
        Assert.Single(await ClaimAsync(Claim("node-a", T0.AddMinutes(-2), window: TimeSpan.Zero)));
        await Store.RecordDispatchesAsync(Record("node-a", new DispatchOutcome(r[0].Id, 1, T0.AddMinutes(-2))));
        Assert.Equal([true], await Store.ApplyOutcomesAsync([Completed(r[0].Id, 1, T0.AddMinutes(-2).AddSeconds(5))]));

        async Task<Guid[]> Ids(InstanceQuery q) => (await Store.ListInstancesAsync(q)).Select(i => i.Id).ToArray();
        static Guid[] Latest(params TaskInstance[] instances) =>
            instances.OrderByDescending(i => i.FireTime).ThenByDescending(i => i.Id).Select(i => i.Id).ToArray();

        Assert.Equal(Latest(b), await Ids(new InstanceQuery { DestinationQueue = "billing", Take = 10 }));
        Assert.Equal(Latest(r), await Ids(new InstanceQuery { DestinationQueue = "reports", Take = 10 }));
        Assert.Empty(await Ids(new InstanceQuery { DestinationQueue = "Billing", Take = 10 }));
        Assert.Equal(Latest(r), await Ids(new InstanceQuery { MetadataKey = "tenant", MetadataValue = "acme", Take = 10 }));
        Assert.Equal(Latest([.. r, .. b]), await Ids(new InstanceQuery { MetadataKey = "tenant", Take = 10 }));
        Assert.Equal(Latest(b), await Ids(new InstanceQuery { MetadataKey = "odd 'k\"", MetadataValue = "v'1", Take = 10 }));
        Assert.Empty(await Ids(new InstanceQuery { MetadataKey = "tenant", MetadataValue = "acme'; DROP TABLE task_instances; --", Take = 10 }));
        Assert.Empty(await Ids(new InstanceQuery { DestinationQueue = "reports", MetadataKey = "tenant", MetadataValue = "globex", Take = 10 }));

        Assert.Equal(Latest(r[1], b[0]), await Ids(new InstanceQuery { FiredSince = T0.AddMinutes(-1), FiredUntil = T0, Take = 10 }));
        Assert.Equal(Latest(r[1]), await Ids(new InstanceQuery
        {
            DefinitionId = reports.Id, FiredSince = T0.AddMinutes(-1), FiredUntil = T0, Status = TaskInstanceState.Scheduled, Take = 10,
        }));
        Assert.Equal([r[0].Id], await Ids(new InstanceQuery { FinishedSince = T0.AddMinutes(-3), Take = 10 }));
        Assert.Equal([r[0].Id], await Ids(new InstanceQuery { FinishedSince = T0.AddMinutes(-2).AddSeconds(5), FinishedUntil = T0, Take = 10 }));
        Assert.Empty(await Ids(new InstanceQuery { FinishedUntil = T0.AddMinutes(-2).AddSeconds(5), Take = 10 }));

        // Paging one row at a time within a filter meets each matching row once, in order.
        var pages = new List<Guid>();
        InstanceCursor? after = null;
        while ((await Store.ListInstancesAsync(new InstanceQuery { MetadataKey = "tenant", FiredUntil = T0, After = after, Take = 1 })) is [var row])
        {
            pages.Add(row.Id);
            after = new InstanceCursor(row.FireTime, row.Id);
        }

        Assert.Equal(Latest(r[0], r[1], b[0]), pages);
    }
}
