using Scheduler.Core.Storage;
using static Scheduler.IntegrationTests.TestData;

namespace Scheduler.IntegrationTests;

/// <summary>The contract of <see cref="ICleanupStore"/>.</summary>
public abstract partial class TaskStoreContractTests
{
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
}
