using System.Net;
using Scheduler.Contracts;
using Scheduler.Core.Runtime;
using Scheduler.TestSupport;

namespace Scheduler.IntegrationTests.Admin;

/// <summary>Issue #20, item 3 (views) over HTTP: the recurring tasks view.</summary>
public sealed partial class AdminApiTests
{
    [Fact]
    public async Task Api_ListsRecurringTasks_Explained_WithNextFireTimeAndLastOutcome_KeysetPaged()
    {
        await using var node = await AdminTestNode.StartAsync(Keys);
        using var http = node.CreateClient(ReadKey);
        var weekdays = await ScheduleAsync(node, "0 9 * * 1-5");
        await ScheduleAsync(node, "2099-01-01T00:00:00Z"); // one-off: not recurring
        var rrule = await ScheduleAsync(node, "FREQ=DAILY;BYHOUR=6;BYMINUTE=30;BYSECOND=0", tenant: "globex");
        var now = TimeProvider.System.GetUtcNow();
        var finished = await AddInstanceAsync(node, weekdays.TaskId, TaskInstanceState.Dispatched, now.AddHours(1), new RetryPolicy());
        Assert.True(await node.Store.ApplyOutcomesAsync([new Scheduler.Core.Storage.InstanceOutcome(finished, 1, Scheduler.Core.Storage.OutcomeKind.Completed,
            now) { StartedAt = now, ReportedCompletedAt = now }]) is [true]);

        var all = await ReadAsync<RecurringTaskList>(await http.GetAsync("tasks/recurring"));
        var first = await ReadAsync<RecurringTaskList>(await http.GetAsync("tasks/recurring?pageSize=1"));
        var second = await ReadAsync<RecurringTaskList>(await http.GetAsync($"tasks/recurring?pageSize=1&pageToken={Uri.EscapeDataString(first.NextPageToken!)}"));
        var globex = await ReadAsync<RecurringTaskList>(await http.GetAsync("tasks/recurring?metadataKey=tenant&metadataValue=globex"));
        var detail = await ReadAsync<TaskInfo>(await http.GetAsync($"tasks/{weekdays.TaskId}?upcoming=1"));

        Assert.Equal([weekdays.TaskId, rrule.TaskId], all.Tasks.Select(t => t.Task.TaskId));
        Assert.Equal(("0 9 * * 1-5", "every weekday at 9am", "Europe/Berlin"), (all.Tasks[0].Task.Trigger, all.Tasks[0].Explanation, all.Tasks[0].Task.TimeZone));
        Assert.StartsWith("every day at 6:30am", all.Tasks[1].Explanation, StringComparison.Ordinal);
        Assert.Equal(detail.UpcomingFireTimes![0], all.Tasks[0].Task.NextFireTime);
        Assert.Equal((finished, TaskInstanceState.Completed), (all.Tasks[0].LastOutcome!.InstanceId, all.Tasks[0].LastOutcome!.State));
        Assert.Null(all.Tasks[1].LastOutcome);
        Assert.Equal([weekdays.TaskId], first.Tasks.Select(t => t.Task.TaskId));
        Assert.Equal([rrule.TaskId], second.Tasks.Select(t => t.Task.TaskId));
        Assert.Null(second.NextPageToken);
        Assert.Equal([rrule.TaskId], globex.Tasks.Select(t => t.Task.TaskId));
        Assert.Contains("PageToken 'x' is not one this scheduler gave out", await ProblemAsync(await http.GetAsync("tasks/recurring?pageToken=x"), HttpStatusCode.BadRequest));
        Assert.Contains("state='Sleeping' is not a TaskState", await ProblemAsync(await http.GetAsync("tasks/recurring?state=Sleeping"), HttpStatusCode.BadRequest));
        Assert.Contains("PageSize 0 is out of range", await ProblemAsync(await http.GetAsync("tasks/recurring?pageSize=0"), HttpStatusCode.BadRequest));
    }
}
