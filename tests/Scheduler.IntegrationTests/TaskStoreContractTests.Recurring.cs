using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Runtime;
using Scheduler.Core.Storage;
using static Scheduler.IntegrationTests.TestData;

namespace Scheduler.IntegrationTests;

/// <summary>
/// Issue #20, item 3 (views): the recurring tasks view (<see cref="SchedulingService.ListRecurringAsync"/>) on every store — recurring
/// definitions only (<see cref="DefinitionQuery.RecurringOnly"/>), keyset paged (<see cref="DefinitionQuery.After"/>), each with its trigger
/// explained, its next fire time and its last outcome (<see cref="IAdminStore.GetLastOutcomesAsync"/>), on a fake clock.
/// </summary>
public abstract partial class TaskStoreContractTests
{
    [Fact]
    public async Task RecurringView_ListsCronRRuleAndPhraseTasks_NotOneOffs_ExplainedWithTheirNextFireTime()
    {
        var node = StartPlanningNode();
        var weekdays = await node.Scheduling.ScheduleAsync(new ScheduleTask { Trigger = "0 9 * * 1-5", TimeZone = "Europe/Berlin" });
        node.Time.Advance(TimeSpan.FromSeconds(1));
        await node.Scheduling.ScheduleAsync(new ScheduleTask { Trigger = T0.AddDays(1).ToString("O"), TimeZone = "UTC" });
        node.Time.Advance(TimeSpan.FromSeconds(1));
        var tuesdays = await node.Scheduling.ScheduleAsync(new ScheduleTask { Trigger = "FREQ=WEEKLY;BYDAY=TU;BYHOUR=10;BYMINUTE=0;BYSECOND=0", TimeZone = "UTC" });
        node.Time.Advance(TimeSpan.FromSeconds(1));
        var phrase = await node.Scheduling.ScheduleAsync(new ScheduleTask { Trigger = "every 5 seconds", TimeZone = "UTC" });
        await node.Scheduling.PauseAsync(phrase.TaskId);

        var view = await node.Scheduling.ListRecurringAsync();

        Assert.Equal([weekdays.TaskId, tuesdays.TaskId, phrase.TaskId], view.Tasks.Select(t => t.Task.TaskId));
        Assert.Equal("every weekday at 9am", view.Tasks[0].Explanation);
        Assert.Contains("tuesday", view.Tasks[1].Explanation, StringComparison.Ordinal);
        Assert.Equal("every 5 seconds", view.Tasks[2].Explanation);
        Assert.Equal((await node.Scheduling.GetDetailAsync(weekdays.TaskId, 1))!.NextFireTime, view.Tasks[0].Task.NextFireTime);
        Assert.Equal(new DateTimeOffset(2030, 1, 2, 8, 0, 0, TimeSpan.Zero), view.Tasks[0].Task.NextFireTime); // 9:00 in Berlin, a Wednesday
        Assert.Equal(new DateTimeOffset(2030, 1, 8, 10, 0, 0, TimeSpan.Zero), view.Tasks[1].Task.NextFireTime);
        Assert.Equal((TaskState.Paused, (DateTimeOffset?)null), (view.Tasks[2].Task.State, view.Tasks[2].Task.NextFireTime));
        Assert.All(view.Tasks, t => Assert.Null(t.LastOutcome));
        Assert.Null(view.NextPageToken);
        Assert.Equal([phrase.TaskId], (await node.Scheduling.ListRecurringAsync(TaskState.Paused)).Tasks.Select(t => t.Task.TaskId));
    }

    [Fact]
    public async Task RecurringView_IsKeysetPaged_ATaskAddedBetweenPagesIsNeitherRepeatedNorSkipped()
    {
        // Created in the same instant: the order of their ids decides, on every store alike.
        var seeded = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            seeded.Add((await SeedAsync(Store)).Definition.Id);
        }

        var node = StartPlanningNode();
        var first = await node.Scheduling.ListRecurringAsync(pageSize: 2);
        await Store.AddDefinitionAsync(Definition(createdAt: T0.AddHours(-1))); // sorts anywhere among the seeded ones by its id
        var pages = new List<RecurringTaskList> { first };
        while (pages[^1].NextPageToken is { } token && pages.Count < 10) // 6 tasks, 2 a page: 3 pages; more means pages repeat
        {
            pages.Add(await node.Scheduling.ListRecurringAsync(pageSize: 2, pageToken: token));
        }

        var shown = pages.SelectMany(p => p.Tasks).Select(t => t.Task.TaskId).ToList();
        Assert.Equal(3, pages.Count);
        Assert.Equal(seeded.Order().Take(2), first.Tasks.Select(t => t.Task.TaskId));
        Assert.Equal(shown.Distinct(), shown);
        Assert.All(seeded, id => Assert.Contains(id, shown)); // none skipped
        Assert.Equal(shown.Order(), shown);
        var bad = await Assert.ThrowsAsync<TaskValidationException>(() => node.Scheduling.ListRecurringAsync(pageToken: "12"));
        Assert.Contains("PageToken '12'", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LastOutcomes_AreTheInstanceThatFinishedLast_WithCompletedFailedOrSkipped_PerDefinition()
    {
        var (a, aInstances) = await SeedAsync(Store, T0.AddSeconds(1), T0.AddSeconds(2), T0.AddSeconds(3));
        var (b, _) = await SeedAsync(Store, T0.AddSeconds(9));
        var (c, cInstances) = await SeedAsync(Store, T0.AddSeconds(1));
        var claims = await ClaimAsync(Claim("node-a", T0.AddSeconds(3)));
        await Store.RecordDispatchesAsync(Record("node-a", claims.Select(x => new DispatchOutcome(x.Instance.Id, 1, T0.AddSeconds(3))).ToArray()));
        // a's T0+1 dead-letters after its T0+2 completed: the later finish is its last outcome, though an earlier occurrence; T0+3 still runs.
        Assert.Equal([true, true, true], await Store.ApplyOutcomesAsync(
        [
            Completed(aInstances[1].Id, 1, T0.AddSeconds(5)),
            Failed(aInstances[0].Id, 1, T0.AddSeconds(6), retryAt: null),
            Completed(cInstances[0].Id, 1, T0.AddSeconds(4)),
        ]));

        var last = await Store.GetLastOutcomesAsync([a.Id, b.Id, c.Id, a.Id, Guid.NewGuid()]);

        Assert.Equal(new[] { a.Id, c.Id }.Order(), last.Keys.Order());
        Assert.Equal((aInstances[0].Id, TaskInstanceState.Failed), (last[a.Id].Id, last[a.Id].Status));
        Assert.Equal((cInstances[0].Id, TaskInstanceState.Completed, T0.AddSeconds(4)), (last[c.Id].Id, last[c.Id].Status, last[c.Id].FinishedAt));
        Assert.Empty(await Store.GetLastOutcomesAsync([]));

        var view = await StartPlanningNode().Scheduling.ListRecurringAsync();
        var shownA = Assert.Single(view.Tasks, t => t.Task.TaskId == a.Id).LastOutcome!;
        Assert.Equal((aInstances[0].Id, TaskInstanceState.Failed, "System.Exception: boom"), (shownA.InstanceId, shownA.State, shownA.LastError));
        Assert.Null(Assert.Single(view.Tasks, t => t.Task.TaskId == b.Id).LastOutcome);
    }
}
