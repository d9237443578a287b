using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;
using static Scheduler.IntegrationTests.TestData;

namespace Scheduler.IntegrationTests;

/// <summary>The contract of <see cref="IMaterializerStore"/>.</summary>
public abstract partial class TaskStoreContractTests
{
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
}
