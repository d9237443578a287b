using System.Text.Json;
using Scheduler.AspNetCore.Security;
using Scheduler.Contracts;
using Scheduler.TestSupport;

namespace Scheduler.Cli.Tests;

/// <summary><c>scheduler tasks …</c> and <c>scheduler instances …</c> against a real admin API (an in-memory node on a loopback port).</summary>
public sealed partial class AdminCliTests
{
    /// <summary>A Write key: on loopback, too, changing tasks needs one (the admin's default).</summary>
    private const string OpsKey = "ops-oncall-0123456789abcdef";

    private static void Ops(Scheduler.AspNetCore.SchedulerAdminOptions o) =>
        o.ApiKeys.Add(new AdminApiKey { Name = "ops-oncall", Key = OpsKey, Role = AdminRole.Write });

    private static async Task<(int ExitCode, string[] Output, string Error)> RunAsync(AdminTestNode node, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await SchedulerCli.RunAsync([.. args, "--url", node.DashboardUri.ToString()], output, error, TimeProvider.System);
        return (exitCode, output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries), error.ToString());
    }

    private static async Task<Guid> ScheduleAsync(AdminTestNode node, string trigger, string tenant) =>
        (await node.Scheduling.ScheduleAsync(new ScheduleTask
        {
            Trigger = trigger,
            TimeZone = "Europe/Berlin",
            Metadata = new Dictionary<string, string> { ["tenant"] = tenant },
        })).TaskId;

    [Fact]
    public async Task InstancesShow_PrintsTheInstance_AndATableOfItsAttempts_OrTheApisJson()
    {
        await using var node = await AdminTestNode.StartAsync();
        var task = await ScheduleAsync(node, "0 9 1 1 *", "acme");
        var id = await node.AddAttemptHistoryAsync(task, new DateTimeOffset(2099, 1, 1, 9, 0, 0, TimeSpan.Zero));

        var show = await RunAsync(node, "instances", "show", id.ToString());
        var json = await RunAsync(node, "instances", "show", id.ToString(), "--json");
        var missing = await RunAsync(node, "instances", "show", task.ToString());

        Assert.True(show.ExitCode == 0, show.Error);
        Assert.Equal($"instance {id} of task {task}: Completed, attempt 2/3, fire time 2099-01-01T09:00:00Z, last error: System.Exception: boom", show.Output[0]);
        Assert.StartsWith("ATTEMPT", show.Output[1], StringComparison.Ordinal);
        Assert.Matches(@"^1 +node-history +2099-01-01T09:00:00Z +2099-01-01T09:00:00Z +2099-01-01T09:00:01Z +2099-01-01T09:00:03Z +2 s +Failed +worker-host/4242 +System.Exception: boom", show.Output[2]);
        Assert.Matches(@"^2 +node-history +2099-01-01T09:00:10Z .* 1\.5 s +Completed +worker-host/4242", show.Output[3]);
        Assert.Equal(2, JsonDocument.Parse(string.Join('\n', json.Output)).RootElement.GetProperty("instance").GetProperty("attempts").GetArrayLength());
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains($"There is no task instance {task}", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TasksList_PrintsATableOfTasks_OrTheApisJson()
    {
        await using var node = await AdminTestNode.StartAsync();
        var daily = await ScheduleAsync(node, "every day at 9am", "acme");
        var cron = await ScheduleAsync(node, "*/5 * * * *", "globex");

        var table = await RunAsync(node, "tasks", "list");
        var filtered = await RunAsync(node, "tasks", "list", "--meta", "tenant=acme");
        var json = await RunAsync(node, "tasks", "list", "--json", "--page-size", "1");

        Assert.Equal((0, ""), (table.ExitCode, table.Error));
        Assert.Equal(["TASK", "STATE", "NEXT", "FIRE", "(UTC)", "TRIGGER", "ZONE", "METADATA"], table.Output[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(3, table.Output.Length);
        Assert.Contains(table.Output, l => l.StartsWith(daily.ToString(), StringComparison.Ordinal) && l.Contains("Active", StringComparison.Ordinal)
            && l.Contains("every day at 9am", StringComparison.Ordinal) && l.Contains("Europe/Berlin", StringComparison.Ordinal) && l.EndsWith("tenant=acme", StringComparison.Ordinal));
        Assert.Contains(table.Output, l => l.StartsWith(cron.ToString(), StringComparison.Ordinal) && l.Contains("*/5 * * * *", StringComparison.Ordinal));
        Assert.Equal(2, filtered.Output.Length);
        Assert.StartsWith(daily.ToString(), filtered.Output[1], StringComparison.Ordinal);
        Assert.Equal(0, json.ExitCode);
        var page = JsonDocument.Parse(string.Join('\n', json.Output)).RootElement;
        Assert.Equal(daily, page.GetProperty("tasks")[0].GetProperty("taskId").GetGuid());
        Assert.Equal("Active", page.GetProperty("tasks")[0].GetProperty("state").GetString());
        Assert.Equal("1", page.GetProperty("nextPageToken").GetString());
    }

    /// <summary>Issue #23, items 4 and 6: a task's end conditions and jitter in the tool's table and the API's JSON.</summary>
    [Fact]
    public async Task TasksShow_PrintsTheTasksEndAndJitter_AndTheJsonCarriesThem()
    {
        await using var node = await AdminTestNode.StartAsync();
        var task = (await node.Scheduling.ScheduleAsync(new ScheduleTask
        {
            Trigger = "every day at 9am 3 times", TimeZone = "UTC", StartAt = new DateTimeOffset(2031, 1, 1, 0, 0, 0, TimeSpan.Zero),
            EndAt = new DateTimeOffset(2031, 6, 1, 0, 0, 0, TimeSpan.Zero), Jitter = TimeSpan.FromSeconds(30),
        })).TaskId;

        var show = await RunAsync(node, "tasks", "show", task.ToString());
        var json = await RunAsync(node, "tasks", "show", task.ToString(), "--json");
        var two = await RunAsync(node, "tasks", "show", task.ToString(), "--upcoming", "2");

        // Issue #20, item 3: its next fire times that will fire, the last one its third occurrence.
        Assert.Equal(["upcoming (UTC)  2031-01-01T09:00:00Z", "2031-01-02T09:00:00Z", "2031-01-03T09:00:00Z"],
            show.Output.SkipWhile(l => !l.StartsWith("upcoming", StringComparison.Ordinal)).Select(l => System.Text.RegularExpressions.Regex.Replace(l.Trim(), " {2,}", "  ")));
        Assert.Equal("2031-01-02T09:00:00Z", two.Output[^1].Trim());
        Assert.StartsWith("upcoming (UTC)", two.Output[^2], StringComparison.Ordinal);
        Assert.Contains(show.Output, l => l.StartsWith("next fire (UTC)", StringComparison.Ordinal) && l.EndsWith("2031-01-01T09:00:00Z", StringComparison.Ordinal));
        Assert.Contains(show.Output, l => l.StartsWith("end at (UTC)", StringComparison.Ordinal) && l.EndsWith("2031-06-01T00:00:00Z", StringComparison.Ordinal));
        Assert.Contains(show.Output, l => l.StartsWith("max occurrences", StringComparison.Ordinal) && l.EndsWith("3, the last at 2031-01-03T09:00:00Z", StringComparison.Ordinal));
        Assert.Contains(show.Output, l => l.StartsWith("jitter", StringComparison.Ordinal) && l.EndsWith("00:00:30", StringComparison.Ordinal));
        var info = JsonDocument.Parse(string.Join('\n', json.Output)).RootElement;
        Assert.Equal((3, "2031-01-03T09:00:00+00:00", "2031-06-01T00:00:00+00:00", "00:00:30"),
            (info.GetProperty("maxOccurrences").GetInt32(), info.GetProperty("lastFireTime").GetString(), info.GetProperty("endAt").GetString(),
                info.GetProperty("jitter").GetString()));
        Assert.Equal(3, info.GetProperty("upcomingFireTimes").GetArrayLength());
    }

    /// <summary>Issue #23, item 5: <c>scheduler calendars set|list|show|delete</c> and a task's calendar in <c>tasks show</c>.</summary>
    [Fact]
    public async Task Calendars_AreSetListedShownAndDeleted_AndTasksShowNamesATasksCalendar()
    {
        await using var node = await AdminTestNode.StartAsync(Ops);
        var ics = Path.Combine(Path.GetTempPath(), $"closures-{Guid.NewGuid():N}.ics");
        await File.WriteAllTextAsync(ics, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20310704\r\nDTEND;VALUE=DATE:20310705\r\nSUMMARY:Closed\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
        try
        {
            var set = await RunAsync(node, "calendars", "set", "holidays", "--date", "2031-12-25", "--date", "2031-12-31..2032-01-01",
                "--rrule", "FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=1", "--ics", ics, "--tz", "Europe/Berlin", "--description", "Company holidays", "--api-key", OpsKey);
            var again = await RunAsync(node, "calendars", "set", "holidays", "--date", "2031-12-25", "--date", "2031-12-31..2032-01-01",
                "--rrule", "FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=1", "--ics", ics, "--tz", "Europe/Berlin", "--description", "Company holidays", "--api-key", OpsKey);
            var task = (await node.Scheduling.ScheduleAsync(new ScheduleTask { Trigger = "every weekday at 9am except holidays", TimeZone = "Europe/Berlin" })).TaskId;
            var list = await RunAsync(node, "calendars", "list");
            var show = await RunAsync(node, "calendars", "show", "holidays");
            var json = await RunAsync(node, "calendars", "show", "holidays", "--json");
            var taskShow = await RunAsync(node, "tasks", "show", task.ToString());
            var refused = await RunAsync(node, "calendars", "delete", "holidays", "--api-key", OpsKey);
            var bad = await RunAsync(node, "calendars", "set", "offsite", "--cron", "* * *", "--api-key", OpsKey);
            var missing = await RunAsync(node, "calendars", "show", "offsite");
            await node.Scheduling.CancelAsync(task);
            var deleted = await RunAsync(node, "calendars", "delete", "holidays", "--api-key", OpsKey);

            Assert.Equal((0, ""), (set.ExitCode, set.Error));
            Assert.Equal(["set calendar holidays (version 1); 0 tasks planned again"], set.Output);
            Assert.Equal(["nothing to change: calendar holidays is so already"], again.Output);
            Assert.Equal(["CALENDAR", "VERSION", "ZONE", "EXCLUDES", "DESCRIPTION"], list.Output[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
            Assert.Equal(["holidays", "1", "Europe/Berlin", "2", "dates,", "1", "rrules,", "icalendar", "Company", "holidays"],
                list.Output[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains(show.Output, l => l.StartsWith("dates", StringComparison.Ordinal) && l.EndsWith("2031-12-25, 2031-12-31..2032-01-01", StringComparison.Ordinal));
            Assert.Contains(show.Output, l => l.StartsWith("icalendar", StringComparison.Ordinal) && l.EndsWith("characters", StringComparison.Ordinal));
            var info = JsonDocument.Parse(string.Join('\n', json.Output)).RootElement;
            Assert.Equal(("Europe/Berlin", "FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=1"), (info.GetProperty("timeZone").GetString(), info.GetProperty("rRules")[0].GetString()));
            Assert.Contains(taskShow.Output, l => l.StartsWith("calendar", StringComparison.Ordinal) && l.EndsWith("holidays", StringComparison.Ordinal));
            Assert.Equal(SchedulerCli.InvalidInput, refused.ExitCode);
            Assert.Contains($"Calendar 'holidays' is named by task {task}", refused.Error, StringComparison.Ordinal);
            Assert.Equal(SchedulerCli.InvalidInput, bad.ExitCode);
            Assert.Contains("'* * *'", bad.Error, StringComparison.Ordinal);
            Assert.Equal(SchedulerCli.NotFound, missing.ExitCode);
            Assert.Equal(["deleted calendar holidays"], deleted.Output);
            Assert.Contains(node.AdminLog, l => l.Contains("delete calendar holidays: refused: Calendar 'holidays' is named by task", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(ics);
        }
    }

    [Fact]
    public async Task TasksPauseResumeTriggerCancel_ChangeTheTask_AndInstancesListsWhatTriggerAdded()
    {
        await using var node = await AdminTestNode.StartAsync(Ops);
        var task = await ScheduleAsync(node, "0 9 * * *", "acme");

        var pause = await RunAsync(node, "tasks", "pause", task.ToString(), "--api-key", OpsKey);
        var pauseAgain = await RunAsync(node, "tasks", "pause", task.ToString(), "--api-key", OpsKey);
        var show = await RunAsync(node, "tasks", "show", task.ToString());
        var resume = await RunAsync(node, "tasks", "resume", task.ToString(), "--api-key", OpsKey);
        var trigger = await RunAsync(node, "tasks", "trigger", task.ToString(), "--api-key", OpsKey);
        var instances = await RunAsync(node, "instances", task.ToString());
        var cancel = await RunAsync(node, "tasks", "cancel", task.ToString(), "--api-key", OpsKey);

        Assert.Equal(0, pause.ExitCode);
        Assert.Equal([$"paused {task} (task Paused)"], pause.Output);
        Assert.Equal([$"nothing to change: task {task} is Paused"], pauseAgain.Output);
        Assert.Contains(show.Output, l => l.StartsWith("state", StringComparison.Ordinal) && l.EndsWith("Paused", StringComparison.Ordinal));
        Assert.Contains(show.Output, l => l.StartsWith("trigger", StringComparison.Ordinal) && l.EndsWith("0 9 * * * (Cron)", StringComparison.Ordinal));
        Assert.Equal([$"resumed {task} (task Active)"], resume.Output);
        var instanceId = Guid.Parse(Assert.Single(trigger.Output).Split("instance ")[1].Split(' ')[0]);
        Assert.StartsWith("INSTANCE", instances.Output[0], StringComparison.Ordinal);
        Assert.Contains(instances.Output, l => l.StartsWith(instanceId.ToString(), StringComparison.Ordinal));
        Assert.Equal([$"cancelled {task} (task Cancelled)"], cancel.Output);
        Assert.Equal(TaskState.Cancelled, (await node.Scheduling.GetAsync(task))!.State);
    }

    [Fact]
    public async Task TasksDelete_AndInstancesDeleteAndRetry_ChangeThroughTheApi_AndPrintTheRefusals()
    {
        await using var node = await AdminTestNode.StartAsync(Ops);
        var task = await ScheduleAsync(node, "0 9 1 1 *", "acme");
        var other = await ScheduleAsync(node, "0 9 1 1 *", "globex");
        var dead = await node.AddDeadLetterAsync(task, new DateTimeOffset(2025, 1, 1, 9, 0, 0, TimeSpan.Zero), "System.InvalidOperationException: boom");
        var waiting = new Scheduler.Core.Definitions.TaskInstance
        {
            Id = Guid.CreateVersion7(), DefinitionId = other, FireTime = new DateTimeOffset(2025, 1, 1, 9, 0, 0, TimeSpan.Zero), Status = TaskInstanceState.Scheduled,
            Attempt = 1, DueAt = TimeProvider.System.GetUtcNow().AddHours(1), ExpireAfter = TimeSpan.FromMinutes(5),
            Retry = (await node.Store.GetDefinitionAsync(other))!.Retry, LastError = "System.Exception: boom",
        };
        Assert.True((await node.Store.AddInstanceAsync(waiting)).Added);

        var retryDead = await RunAsync(node, "instances", "retry", dead.ToString(), "--api-key", OpsKey);
        var retry = await RunAsync(node, "instances", "retry", waiting.Id.ToString(), "--api-key", OpsKey);
        var deleteWaiting = await RunAsync(node, "instances", "delete", waiting.Id.ToString(), "--api-key", OpsKey);
        var delete = await RunAsync(node, "instances", "delete", dead.ToString(), "--api-key", OpsKey);
        var deleteAgain = await RunAsync(node, "instances", "delete", dead.ToString(), "--api-key", OpsKey);
        var deleteTask = await RunAsync(node, "tasks", "delete", task.ToString(), "--api-key", OpsKey);
        var deleteTaskAgain = await RunAsync(node, "tasks", "delete", task.ToString(), "--api-key", OpsKey);

        Assert.Equal(SchedulerCli.InvalidInput, retryDead.ExitCode);
        Assert.Contains("a dead letter. Requeue it instead", retryDead.Error, StringComparison.Ordinal);
        Assert.Equal((0, ""), (retry.ExitCode, retry.Error));
        Assert.Equal([$"instance {waiting.Id} due now (attempt 1 of {waiting.Retry.MaxAttempts} done)"], retry.Output);
        Assert.Equal(SchedulerCli.InvalidInput, deleteWaiting.ExitCode);
        Assert.Contains("only a finished instance (Completed, Failed, Cancelled or Skipped) can", deleteWaiting.Error, StringComparison.Ordinal);
        Assert.Equal([$"deleted instance {dead} of task {task}"], delete.Output);
        Assert.NotEqual(0, deleteAgain.ExitCode);
        Assert.Contains($"There is no task instance {dead}", deleteAgain.Error, StringComparison.Ordinal);
        Assert.Equal([$"deleted {task} with 0 instances"], deleteTask.Output);
        Assert.NotEqual(0, deleteTaskAgain.ExitCode);
        Assert.Contains($"There is no task {task}", deleteTaskAgain.Error, StringComparison.Ordinal);
        Assert.Null(await node.Scheduling.GetAsync(task));
    }

    [Fact]
    public async Task DeadLetters_AreListed_AndRequeued_AndAnIdThatIsNoDeadLetterIsLeftAlone()
    {
        await using var node = await AdminTestNode.StartAsync(Ops);
        var task = await ScheduleAsync(node, "0 9 * * *", "acme");
        var dead = await node.AddDeadLetterAsync(task, new DateTimeOffset(2025, 1, 1, 9, 0, 0, TimeSpan.Zero), "System.InvalidOperationException: boom");
        var other = Guid.CreateVersion7();

        var list = await RunAsync(node, "dead-letters", "list");
        var requeue = await RunAsync(node, "dead-letters", "requeue", dead.ToString(), other.ToString(), "--api-key", OpsKey);
        var again = await RunAsync(node, "dead-letters", "requeue", dead.ToString(), "--json", "--api-key", OpsKey);
        var none = await RunAsync(node, "dead-letters", "list");

        Assert.Equal(0, list.ExitCode);
        Assert.StartsWith("INSTANCE", list.Output[0], StringComparison.Ordinal);
        var row = Assert.Single(list.Output, l => l.StartsWith(dead.ToString(), StringComparison.Ordinal));
        Assert.Contains(task.ToString(), row, StringComparison.Ordinal);
        Assert.Contains("1/1", row, StringComparison.Ordinal);
        Assert.Contains("boom", row, StringComparison.Ordinal);
        Assert.Equal(0, requeue.ExitCode);
        Assert.Equal([$"requeued {dead}", $"not a dead letter, left alone: {other}"], requeue.Output);
        Assert.Equal(0, again.ExitCode);
        Assert.Empty(JsonSerializer.Deserialize<DeadLettersRequeued>(string.Concat(again.Output), JsonSerializerOptions.Web)!.Requeued);
        Assert.DoesNotContain(none.Output, l => l.StartsWith(dead.ToString(), StringComparison.Ordinal));
        Assert.Contains(node.AdminLog, l => l.Contains("requeued 1 of 2 dead letters asked for: " + dead, StringComparison.Ordinal));
    }

    [Fact]
    public async Task DeadLetters_AreRequeuedByAFilter_OneLimitAtATime_OrAllWithAll_AndAFilterBesideIdsIsRefused()
    {
        const string key = "ops-oncall-0123456789abcdef"; // a Write key, which a write needs wherever loopback callers may only read
        await using var node = await AdminTestNode.StartAsync(o => o.ApiKeys.Add(new AdminApiKey { Name = "ops-oncall", Key = key, Role = AdminRole.Write }));
        var task = await ScheduleAsync(node, "0 9 * * *", "acme");
        var other = await ScheduleAsync(node, "0 10 * * *", "globex");
        var day = new DateTimeOffset(2025, 1, 1, 9, 0, 0, TimeSpan.Zero);
        var dead = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            dead.Add(await node.AddDeadLetterAsync(task, day.AddDays(i), "System.InvalidOperationException: boom"));
        }

        var untouched = await node.AddDeadLetterAsync(other, day, "System.InvalidOperationException: boom");

        var first = await RunAsync(node, "dead-letters", "requeue", "--task", task.ToString(), "--limit", "2", "--api-key", key);
        var rest = await RunAsync(node, "dead-letters", "requeue", "--task", task.ToString(), "--since", "2025-01-01T00:00:00Z", "--all", "--limit", "1", "--api-key", key);
        var both = await RunAsync(node, "dead-letters", "requeue", untouched.ToString(), "--task", other.ToString(), "--api-key", key);
        var neither = await RunAsync(node, "dead-letters", "requeue", "--api-key", key);
        var badLimit = await RunAsync(node, "dead-letters", "requeue", "--all", "--limit", "0", "--api-key", key);

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(["requeued 2 dead letters; more match: run again, or add --all"], first.Output);
        Assert.Equal(0, rest.ExitCode);
        Assert.Equal(["requeued 1 dead letters", "requeued 1 dead letters in all"], rest.Output);
        foreach (var id in dead)
        {
            var requeued = (await node.Store.GetInstanceAsync(id))!;
            Assert.NotEqual(TaskInstanceState.Failed, requeued.Status);
            Assert.Equal(2, requeued.MaxAttempts); // a fresh budget of its policy's one attempt
        }

        Assert.Equal(TaskInstanceState.Failed, (await node.Store.GetInstanceAsync(untouched))!.Status);
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("not both", both.Error, StringComparison.Ordinal);
        Assert.Equal(2, neither.ExitCode);
        Assert.Contains("--all for every dead letter", neither.Error, StringComparison.Ordinal);
        Assert.Equal(2, badLimit.ExitCode);
        Assert.Contains("Filter.Limit 0 is out of range", badLimit.Error, StringComparison.Ordinal);
        Assert.Contains(node.AdminLog, l => l.Contains($"key:ops-oncall requeued 2 dead letters matching DeadLetterFilter {{ TaskId = {task}", StringComparison.Ordinal)
            && l.Contains("(more match: True): " + string.Join(", ", dead.Take(2)), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Tasks_ExitsWithTheApisRefusal_AndItsReason()
    {
        const string readKey = "cli-read-key-0123456789", writeKey = "cli-write-key-0123456789";
        await using var node = await AdminTestNode.StartAsync(o =>
        {
            o.TrustLoopback = false;
            o.ApiKeys.Add(new AdminApiKey { Name = "viewer", Key = readKey, Role = AdminRole.Read });
            o.ApiKeys.Add(new AdminApiKey { Name = "operator", Key = writeKey, Role = AdminRole.Write });
        });
        var task = await ScheduleAsync(node, "0 9 * * *", "acme");

        var anonymous = await RunAsync(node, "tasks", "list");
        var readerWrites = await RunAsync(node, "tasks", "pause", task.ToString(), "--api-key", readKey);
        var unknown = await RunAsync(node, "tasks", "show", Guid.Empty.ToString(), "--api-key", readKey);
        var badState = await RunAsync(node, "instances", task.ToString(), "--state", "Asleep", "--api-key", readKey);
        var writer = await RunAsync(node, "tasks", "pause", task.ToString(), "--api-key", writeKey);

        Assert.Equal(SchedulerCli.AccessDenied, anonymous.ExitCode);
        Assert.Contains("Pass --api-key", anonymous.Error);
        Assert.Equal(SchedulerCli.AccessDenied, readerWrites.ExitCode);
        Assert.Contains("Key 'viewer' may only read", readerWrites.Error);
        Assert.Equal(SchedulerCli.NotFound, unknown.ExitCode);
        Assert.Contains($"There is no task {Guid.Empty}", unknown.Error);
        Assert.Equal(SchedulerCli.InvalidInput, badState.ExitCode);
        Assert.Equal(0, writer.ExitCode);
        Assert.Equal(TaskState.Paused, (await node.Scheduling.GetAsync(task))!.State);
        Assert.Contains(node.AdminLog, l => l.Contains($"Admin key:operator pause task {task}", StringComparison.Ordinal));
    }
}
