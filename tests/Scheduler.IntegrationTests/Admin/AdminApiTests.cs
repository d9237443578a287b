using System.Net;
using System.Net.Http.Json;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Scheduler.AspNetCore.Api;
using Scheduler.AspNetCore.Security;
using Scheduler.Contracts;
using Scheduler.Core.Runtime;
using Scheduler.IntegrationTests.Bus;
using Scheduler.TestSupport;

namespace Scheduler.IntegrationTests.Admin;

/// <summary>The admin API over HTTP (a real Kestrel listener) on an in-memory node: the operations, their errors, and who may call them.</summary>
public sealed partial class AdminApiTests
{
    private const string ReadKey = "read-key-0123456789abcdef";
    private const string WriteKey = "write-key-0123456789abcdef";

    private static void Keys(Scheduler.AspNetCore.SchedulerAdminOptions o)
    {
        o.ApiKeys.Add(new AdminApiKey { Name = "dashboard-viewer", Key = ReadKey, Role = AdminRole.Read });
        o.ApiKeys.Add(new AdminApiKey { Name = "ops-oncall", Key = WriteKey, Role = AdminRole.Write });
    }

    private static Task<TaskScheduled> ScheduleAsync(AdminTestNode node, string trigger = "*/5 * * * *", string tenant = "acme") =>
        node.Scheduling.ScheduleAsync(new ScheduleTask
        {
            Trigger = trigger,
            TimeZone = "Europe/Berlin",
            Metadata = new Dictionary<string, string> { ["tenant"] = tenant },
        });

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<T>(AdminJson.Options))!;
    }

    private static async Task<string> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"expected {expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString()!;
    }

    [Fact]
    public async Task Api_ListsReadsAndChangesTasks_AsTheBusCommandsDo()
    {
        // A developer's machine: loopback callers opted into writing (as the Host's Development environment does).
        await using var node = await AdminTestNode.StartAsync(o => o.LoopbackRole = AdminRole.Write);
        using var http = node.CreateClient();
        var acme = await ScheduleAsync(node);
        await ScheduleAsync(node, tenant: "globex");

        var list = await ReadAsync<TaskList>(await http.GetAsync("tasks?metadataKey=tenant&metadataValue=acme"));
        var task = await ReadAsync<TaskInfo>(await http.GetAsync($"tasks/{acme.TaskId}"));
        var paused = await ReadAsync<TaskChanged>(await http.PostAsync($"tasks/{acme.TaskId}/pause", null));
        var pausedAgain = await ReadAsync<TaskChanged>(await http.PostAsync($"tasks/{acme.TaskId}/pause", null));
        var pausedList = await ReadAsync<TaskList>(await http.GetAsync("tasks?state=Paused"));
        var resumed = await ReadAsync<TaskChanged>(await http.PostAsync($"tasks/{acme.TaskId}/resume", null));
        var updated = await ReadAsync<TaskChanged>(await http.PatchAsJsonAsync($"tasks/{acme.TaskId}", new { taskId = acme.TaskId.ToString().ToUpperInvariant(), trigger = "0 9 * * *", metadata = new { tenant = "acme", team = "ops" } }));
        var instanceId = Guid.NewGuid();
        var triggered = await ReadAsync<TaskChanged>(await http.PostAsync($"tasks/{acme.TaskId}/trigger?instanceId={instanceId}", null));
        var instances = await ReadAsync<TaskInstanceList>(await http.GetAsync($"tasks/{acme.TaskId}/instances?pageSize=10"));
        var cancelled = await ReadAsync<TaskChanged>(await http.PostAsync($"tasks/{acme.TaskId}/cancel", null));
        var cancelledAgain = await ReadAsync<TaskChanged>(await http.PostAsync($"tasks/{acme.TaskId}/cancel", null));

        Assert.Equal([acme.TaskId], list.Tasks.Select(t => t.TaskId));
        Assert.Equal(("*/5 * * * *", "Europe/Berlin", TaskState.Active), (task.Trigger, task.TimeZone, task.State));
        Assert.Equal((true, TaskState.Paused, false), (paused.Changed, paused.Task.State, pausedAgain.Changed));
        Assert.Equal([acme.TaskId], pausedList.Tasks.Select(t => t.TaskId));
        Assert.Equal((true, TaskState.Active), (resumed.Changed, resumed.Task.State));
        Assert.Equal((true, "0 9 * * *", "ops"), (updated.Changed, updated.Task.Trigger, updated.Task.Metadata["team"]));
        Assert.Equal(instanceId, triggered.InstanceId);
        Assert.Contains(instances.Instances, i => i.InstanceId == instanceId);
        Assert.Equal((true, TaskState.Cancelled, false), (cancelled.Changed, cancelled.Task.State, cancelledAgain.Changed));
        // Every write is logged with who made it: here a loopback caller without a key.
        Assert.Contains(node.AdminLog, l => l.StartsWith("Information: Admin loopback:127.0.0.1 pause task " + acme.TaskId, StringComparison.Ordinal));
        Assert.Contains(node.AdminLog, l => l.Contains($"trigger task {acme.TaskId}: done, instance {instanceId}", StringComparison.Ordinal));
        Assert.Equal(7, node.AdminLog.Count(l => l.Contains("Admin loopback:", StringComparison.Ordinal)));
    }

    /// <summary>Issue #20, item 3: a task planned ahead shows as next the occurrence that fires next (not the scheduler loop's planning
    /// cursor), and GET /tasks/{id} lists its upcoming fire times.</summary>
    [Fact]
    public async Task Api_ShowsTheNextFireTimeThatWillFire_AndATasksUpcomingFireTimes()
    {
        await using var node = await AdminTestNode.StartAsync();
        using var http = node.CreateClient();
        var task = await ScheduleAsync(node, "*/5 * * * * *");
        // The node's loop plans the task's occurrences ExecutionWindow (10 s) ahead: its cursor runs on past the next one.
        await Wait.UntilAsync(async () => (await node.Scheduling.GetInstancesAsync(new GetTaskInstances { TaskId = task.TaskId }))!.Instances.Count >= 2,
            "the node plans the task's occurrences ahead", TimeSpan.FromSeconds(30));
        var before = TimeProvider.System.GetUtcNow();

        var detail = await ReadAsync<TaskInfo>(await http.GetAsync($"tasks/{task.TaskId}"));
        var twelve = await ReadAsync<TaskInfo>(await http.GetAsync($"tasks/{task.TaskId}?upcoming=12"));
        var none = await ReadAsync<TaskInfo>(await http.GetAsync($"tasks/{task.TaskId}?upcoming=0"));
        var listed = Assert.Single((await ReadAsync<TaskList>(await http.GetAsync("tasks"))).Tasks);
        var after = TimeProvider.System.GetUtcNow();

        Assert.Equal(5, detail.UpcomingFireTimes!.Count);
        Assert.Equal(detail.UpcomingFireTimes[0], detail.NextFireTime);
        Assert.InRange(detail.NextFireTime!.Value, before, after.AddSeconds(5));
        Assert.All(detail.UpcomingFireTimes.Zip(detail.UpcomingFireTimes.Skip(1)), p => Assert.Equal(TimeSpan.FromSeconds(5), p.Second - p.First));
        Assert.Equal(12, twelve.UpcomingFireTimes!.Count); // 60 s: past what is planned, from the trigger
        Assert.All(twelve.UpcomingFireTimes.Zip(twelve.UpcomingFireTimes.Skip(1)), p => Assert.Equal(TimeSpan.FromSeconds(5), p.Second - p.First));
        Assert.Null(none.UpcomingFireTimes);
        Assert.Null(listed.UpcomingFireTimes);
        Assert.InRange(listed.NextFireTime!.Value, before, after.AddSeconds(5));
        Assert.Contains("Upcoming 51 is out of range: ask for 0 to 50", await ProblemAsync(await http.GetAsync($"tasks/{task.TaskId}?upcoming=51"), HttpStatusCode.BadRequest));
        Assert.Contains("upcoming='soon' is not a whole number", await ProblemAsync(await http.GetAsync($"tasks/{task.TaskId}?upcoming=soon"), HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Api_AnswersProblemDetails_NamingTheValueAndTheFix()
    {
        await using var node = await AdminTestNode.StartAsync(Keys);
        using var http = node.CreateClient(WriteKey);
        var task = await ScheduleAsync(node);
        var unknown = Guid.NewGuid();

        Assert.Contains($"There is no task {unknown}", await ProblemAsync(await http.GetAsync($"tasks/{unknown}"), HttpStatusCode.NotFound));
        Assert.Contains($"There is no task {unknown}", await ProblemAsync(await http.PostAsync($"tasks/{unknown}/pause", null), HttpStatusCode.NotFound));
        Assert.Contains($"There is no task {unknown}", await ProblemAsync(await http.GetAsync($"tasks/{unknown}/instances"), HttpStatusCode.NotFound));
        Assert.Contains("PageSize 0 is out of range. Give 1 to 1000", await ProblemAsync(await http.GetAsync("tasks?pageSize=0"), HttpStatusCode.BadRequest));
        Assert.Contains("state='Sleeping' is not a TaskState. Use one of Active, Paused", await ProblemAsync(await http.GetAsync("tasks?state=Sleeping"), HttpStatusCode.BadRequest));
        Assert.Contains("pageSize='ten' is not a whole number", await ProblemAsync(await http.GetAsync("dead-letters?pageSize=ten"), HttpStatusCode.BadRequest));
        Assert.Contains("Bucket size", await ProblemAsync(await http.GetAsync("cluster?bucketSeconds=0"), HttpStatusCode.BadRequest));
        var badTrigger = await ProblemAsync(await http.PatchAsJsonAsync($"tasks/{task.TaskId}", new { trigger = "every blue moon" }), HttpStatusCode.BadRequest);
        Assert.Contains("every blue moon", badTrigger);
        Assert.Contains("differs from the task", await ProblemAsync(await http.PatchAsJsonAsync($"tasks/{task.TaskId}", new { taskId = unknown, trigger = "0 9 * * *" }), HttpStatusCode.BadRequest));
        Assert.Contains("not a valid task update", await ProblemAsync(await http.PatchAsJsonAsync($"tasks/{task.TaskId}", new { expireAfter = "soon" }), HttpStatusCode.BadRequest));
        await http.PostAsync($"tasks/{task.TaskId}/cancel", null);
        Assert.Contains("was cancelled at", await ProblemAsync(await http.PostAsync($"tasks/{task.TaskId}/resume", null), HttpStatusCode.BadRequest));
        Assert.Equal("*/5 * * * *", (await node.Scheduling.GetAsync(task.TaskId))!.Trigger);
    }

    /// <summary>Issue #23, item 5: calendars over the API, as SetCalendar, GetCalendar, ListCalendars and DeleteCalendar; writing them needs
    /// the write role.</summary>
    [Fact]
    public async Task Api_SetsReadsAndDeletesCalendars_WithTheNameInThePath()
    {
        await using var node = await AdminTestNode.StartAsync(Keys);
        using var reader = node.CreateClient(ReadKey);
        using var writer = node.CreateClient(WriteKey);

        var set = await ReadAsync<CalendarChanged>(await writer.PutAsJsonAsync("calendars/closures", new { dates = new[] { "2031-07-04" }, timeZone = "America/New_York" }));
        var task = await ScheduleAsync(node, "every day at noon except closures");
        var changed = await ReadAsync<CalendarChanged>(await writer.PutAsJsonAsync("calendars/closures", new { name = "closures", dates = new[] { "2031-07-04", "2031-11-27" } }));
        var mismatch = await ProblemAsync(await writer.PutAsJsonAsync("calendars/closures", new { name = "other", dates = new[] { "2031-07-04" } }), HttpStatusCode.BadRequest);
        var denied = await ProblemAsync(await reader.PutAsJsonAsync("calendars/closures", new { dates = new[] { "2031-07-04" } }), HttpStatusCode.Forbidden);
        var list = await ReadAsync<CalendarList>(await reader.GetAsync("calendars"));
        var missing = await ProblemAsync(await reader.GetAsync("calendars/other"), HttpStatusCode.NotFound);
        var named = await ProblemAsync(await writer.DeleteAsync("calendars/closures"), HttpStatusCode.BadRequest);

        Assert.Equal((1L, "America/New_York"), (set.Calendar.Version, set.Calendar.TimeZone));
        Assert.Equal((2L, null, 1), (changed.Calendar.Version, changed.Calendar.TimeZone, changed.TasksReplanned));
        Assert.Equal("closures", (await node.Scheduling.GetAsync(task.TaskId))!.Calendar);
        Assert.Contains("differs from the calendar 'closures' in the path", mismatch);
        Assert.Contains("may only read", denied);
        Assert.Equal(["2031-07-04", "2031-11-27"], Assert.Single(list.Calendars).Dates);
        Assert.Contains("There is no calendar 'other'", missing);
        Assert.Contains($"is named by task {task.TaskId}", named);
        await node.Scheduling.UpdateAsync(new UpdateTask { TaskId = task.TaskId, Trigger = "0 12 * * *", Calendar = "" });
        Assert.True((await ReadAsync<CalendarDeleted>(await writer.DeleteAsync("calendars/closures"))).Found);
        Assert.Contains(node.AdminLog, l => l.StartsWith("Information: Admin key:ops-oncall set calendar closures: version 2, 1 tasks planned again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Api_ServesTheClusterViewDeadLettersAndOpenApiDocument()
    {
        await using var node = await AdminTestNode.StartAsync();
        using var http = node.CreateClient();

        var cluster = await ReadAsync<JsonElement>(await http.GetAsync("cluster?minutes=10&bucketSeconds=60"));
        var deadLetters = await ReadAsync<DeadLetterList>(await http.GetAsync("dead-letters"));
        var openApi = await ReadAsync<JsonElement>(await http.GetAsync(new Uri(node.DashboardUri, "openapi/scheduler-admin.json")));
        var page = await http.GetAsync(node.DashboardUri);

        Assert.Equal(10, cluster.GetProperty("activity").GetArrayLength());
        Assert.Equal(0, cluster.GetProperty("backlogDueNow").GetInt32());
        // The node itself, idle: listed with its run (issue #20, item 3), live, with the release it runs.
        var self = Assert.Single(cluster.GetProperty("nodes").EnumerateArray());
        Assert.Equal(("admin-test-node", 0, true), (self.GetProperty("nodeId").GetString(), self.GetProperty("held").GetInt32(), self.GetProperty("live").GetBoolean()));
        Assert.False(string.IsNullOrEmpty(self.GetProperty("version").GetString()));
        Assert.Equal(JsonValueKind.Null, self.GetProperty("clockOffsetMs").ValueKind); // the in-memory store has no clock of its own
        Assert.Empty(deadLetters.DeadLetters);
        var paths = openApi.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/scheduler/api/tasks/{taskId}/pause", paths);
        Assert.Contains("/scheduler/api/cluster", paths);
        Assert.Equal(["Active", "Paused", "Cancelled", "Finished"],
            openApi.GetProperty("components").GetProperty("schemas").GetProperty("TaskState").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<script src=\"dashboard.js\"></script>", await page.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Api_DeletesTasksAndFinishedInstances_AndRetriesAWaitingInstanceNow_RefusingOtherStates_AndAuditsEach()
    {
        await using var node = await AdminTestNode.StartAsync(Keys);
        var task = await ScheduleAsync(node, trigger: "0 9 1 1 *");
        var other = await ScheduleAsync(node, trigger: "0 9 1 1 *", tenant: "globex");
        var retry = (await node.Store.GetDefinitionAsync(other.TaskId))!.Retry;
        var now = TimeProvider.System.GetUtcNow();
        var dead = await node.AddDeadLetterAsync(task.TaskId, new DateTimeOffset(2025, 1, 1, 9, 0, 0, TimeSpan.Zero), "System.TimeoutException: slow");
        var running = await AddInstanceAsync(node, task.TaskId, TaskInstanceState.Dispatched, now.AddHours(1), retry);
        var waiting = await AddInstanceAsync(node, other.TaskId, TaskInstanceState.Scheduled, now.AddHours(1), retry);
        using var reader = node.CreateClient(ReadKey);
        using var writer = node.CreateClient(WriteKey);

        Assert.Contains("may only read", await ProblemAsync(await reader.DeleteAsync($"tasks/{task.TaskId}"), HttpStatusCode.Forbidden));
        var inFlight = await ProblemAsync(await writer.DeleteAsync($"tasks/{task.TaskId}"), HttpStatusCode.BadRequest);
        Assert.Contains("(1 Dispatched)", inFlight);
        Assert.Contains("Cancel it first and wait until its dispatched instances finish", inFlight);
        Assert.Contains("is Dispatched", await ProblemAsync(await writer.DeleteAsync($"instances/{running}"), HttpStatusCode.BadRequest));
        Assert.Contains("Requeue it instead", await ProblemAsync(await writer.PostAsync($"instances/{dead}/retry", null), HttpStatusCode.BadRequest));
        Assert.Contains($"There is no task instance {task.TaskId}", await ProblemAsync(await writer.PostAsync($"instances/{task.TaskId}/retry", null),
            HttpStatusCode.NotFound));

        var retried = await ReadAsync<TaskInstanceRetried>(await writer.PostAsync($"instances/{waiting}/retry", null));
        Assert.True(retried is { Found: true, Changed: true }, retried.ToString());
        Assert.Equal((other.TaskId, 1), (retried.TaskId, retried.Instance!.Attempt));
        Assert.InRange(retried.Instance.DueAt!.Value, now, TimeProvider.System.GetUtcNow());

        var deletedInstance = await ReadAsync<TaskInstanceDeleted>(await writer.DeleteAsync($"instances/{dead}"));
        Assert.Equal((dead, true, (Guid?)task.TaskId), (deletedInstance.InstanceId, deletedInstance.Found, deletedInstance.TaskId));
        Assert.Contains($"There is no task instance {dead}", await ProblemAsync(await writer.DeleteAsync($"instances/{dead}"), HttpStatusCode.NotFound));

        // Its dispatched attempt finishes; the task, not even cancelled, is then deleted with its instances.
        Assert.Equal([true], await node.Store.ApplyOutcomesAsync(
            [new Scheduler.Core.Storage.InstanceOutcome(running, 1, Scheduler.Core.Storage.OutcomeKind.Completed, now) { StartedAt = now, ReportedCompletedAt = now }]));
        var deleted = await ReadAsync<TaskDeleted>(await writer.DeleteAsync($"tasks/{task.TaskId}"));

        Assert.Equal((task.TaskId, true, 1), (deleted.TaskId, deleted.Found, deleted.InstancesDeleted));
        Assert.Contains($"There is no task {task.TaskId}", await ProblemAsync(await writer.DeleteAsync($"tasks/{task.TaskId}"), HttpStatusCode.NotFound));
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"tasks/{task.TaskId}")).StatusCode);
        Assert.NotNull(await node.Store.GetDefinitionAsync(other.TaskId));
        Assert.Contains(node.AdminLog, l => l == $"Information: Admin key:ops-oncall delete task {task.TaskId}: deleted, with 1 instances");
        Assert.Contains(node.AdminLog, l => l == $"Information: Admin key:ops-oncall delete instance {dead}: deleted, of task {task.TaskId}");
        Assert.Contains(node.AdminLog, l => l == $"Information: Admin key:ops-oncall retry now instance {waiting}: due now, attempt 1 of {retry.MaxAttempts}");
        Assert.Contains(node.AdminLog, l => l.StartsWith($"Information: Admin key:ops-oncall delete task {task.TaskId}: refused: Task {task.TaskId} has instances in flight", StringComparison.Ordinal));
        Assert.Contains(node.AdminLog, l => l == $"Information: Admin key:ops-oncall delete task {task.TaskId}: refused: no such task");
    }

    [Fact]
    public async Task Api_ShowsAnInstance_AndEachListedInstance_WithItsAttemptHistory()
    {
        await using var node = await AdminTestNode.StartAsync(Keys);
        var task = await ScheduleAsync(node, trigger: "0 9 1 1 *");
        var fire = new DateTimeOffset(2099, 1, 1, 9, 0, 0, TimeSpan.Zero);
        var id = await node.AddAttemptHistoryAsync(task.TaskId, fire);
        using var reader = node.CreateClient(ReadKey);

        var entry = await ReadAsync<TaskInstanceEntry>(await reader.GetAsync($"instances/{id}"));
        var listed = Assert.Single((await ReadAsync<TaskInstanceList>(await reader.GetAsync($"tasks/{task.TaskId}/instances"))).Instances);

        Assert.Equal((task.TaskId, id, TaskInstanceState.Completed), (entry.TaskId, entry.Instance.InstanceId, entry.Instance.State));
        foreach (var attempts in new[] { entry.Instance.Attempts, listed.Attempts })
        {
            Assert.Equal([(1, AttemptOutcome.Failed, "System.Exception: boom"), (2, AttemptOutcome.Completed, null)],
                attempts.Select(a => (a.Attempt, a.Outcome!.Value, a.Error)));
            Assert.All(attempts, a => Assert.Equal(("node-history", "worker-host/4242"), (a.ClaimedBy, a.Worker)));
            Assert.Equal([fire, fire.AddSeconds(10)], attempts.Select(a => a.DispatchedAt!.Value));
            Assert.Equal([TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1.5)], attempts.Select(a => a.Duration!.Value));
        }

        Assert.Contains($"There is no task instance {task.TaskId}", await ProblemAsync(await reader.GetAsync($"instances/{task.TaskId}"), HttpStatusCode.NotFound));
    }

    /// <summary>Adds to task <paramref name="taskId"/> an instance in <paramref name="state"/> after one attempt (Dispatched: running; Scheduled:
    /// waiting for its retry), due at <paramref name="dueAt"/>, straight in the node's store.</summary>
    private static async Task<Guid> AddInstanceAsync(AdminTestNode node, Guid taskId, TaskInstanceState state, DateTimeOffset dueAt, RetryPolicy retry)
    {
        var instance = new Scheduler.Core.Definitions.TaskInstance
        {
            Id = Guid.CreateVersion7(), DefinitionId = taskId, FireTime = new DateTimeOffset(2025, 1, 2, 9, 0, 0, TimeSpan.Zero), Status = state, Attempt = 1,
            DueAt = dueAt, ExpireAfter = TimeSpan.FromHours(2), Retry = retry, DispatchedAt = dueAt.AddHours(-1),
            LastError = state == TaskInstanceState.Scheduled ? "System.Exception: boom" : null,
        };
        Assert.True((await node.Store.AddInstanceAsync(instance)).Added);
        return instance.Id;
    }

    [Fact]
    public async Task Api_RequeuesDeadLetters_WithAWriteKey_AndAnswersProblemsForABadBody()
    {
        await using var node = await AdminTestNode.StartAsync(o =>
        {
            Keys(o);
            o.TrustLoopback = false;
        });
        var task = await ScheduleAsync(node);
        var dead = await node.AddDeadLetterAsync(task.TaskId, new DateTimeOffset(2025, 1, 1, 9, 0, 0, TimeSpan.Zero), "System.TimeoutException: slow");
        using var reader = node.CreateClient(ReadKey);
        using var writer = node.CreateClient(WriteKey);
        var listed = await ReadAsync<DeadLetterList>(await reader.GetAsync("dead-letters"));

        Assert.Equal(dead, Assert.Single(listed.DeadLetters).Instance.InstanceId);
        Assert.Contains("may only read", await ProblemAsync(await reader.PostAsJsonAsync("dead-letters/requeue", new { instanceIds = new[] { dead } }),
            HttpStatusCode.Forbidden));
        Assert.Contains("InstanceIds is empty", await ProblemAsync(await writer.PostAsJsonAsync("dead-letters/requeue", new { instanceIds = Array.Empty<Guid>() }),
            HttpStatusCode.BadRequest));
        Assert.Contains("instanceIds", await ProblemAsync(await writer.PostAsJsonAsync("dead-letters/requeue", new { }), HttpStatusCode.BadRequest));
        Assert.Contains("not a valid requeue", await ProblemAsync(await writer.PostAsync("dead-letters/requeue",
            new StringContent("{\"instanceIds\": [\"not-a-guid\"]}", System.Text.Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest));

        var requeued = await ReadAsync<DeadLettersRequeued>(await writer.PostAsJsonAsync("dead-letters/requeue", new { instanceIds = new[] { dead, task.TaskId } }));
        var again = await ReadAsync<DeadLettersRequeued>(await writer.PostAsJsonAsync("dead-letters/requeue", new { instanceIds = new[] { dead } }));

        Assert.Equal([dead], requeued.Requeued);
        Assert.Empty(again.Requeued);
        Assert.Empty((await ReadAsync<DeadLetterList>(await reader.GetAsync("dead-letters"))).DeadLetters);
        Assert.Contains(node.AdminLog, l => l == $"Information: Admin key:ops-oncall requeued 1 of 2 dead letters asked for: {dead}");
        Assert.Contains(node.AdminLog, l => l.StartsWith("Information: Admin key:ops-oncall tried to requeue dead letters, refused: InstanceIds is empty", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Api_RequeuesDeadLettersByAFilter_WithMore_AndAnswersProblemsNamingTheField()
    {
        await using var node = await AdminTestNode.StartAsync(o =>
        {
            Keys(o);
            o.TrustLoopback = false;
        });
        var task = await ScheduleAsync(node);
        var other = await ScheduleAsync(node, tenant: "globex");
        var day = new DateTimeOffset(2025, 1, 1, 9, 0, 0, TimeSpan.Zero);
        var older = await node.AddDeadLetterAsync(task.TaskId, day, "System.TimeoutException: slow");
        var newer = await node.AddDeadLetterAsync(task.TaskId, day.AddHours(1), "System.TimeoutException: slow");
        var others = await node.AddDeadLetterAsync(other.TaskId, day, "System.TimeoutException: slow");
        using var reader = node.CreateClient(ReadKey);
        using var writer = node.CreateClient(WriteKey);
        async Task<string> RefusedAsync(object body) => await ProblemAsync(await writer.PostAsJsonAsync("dead-letters/requeue", body), HttpStatusCode.BadRequest);

        Assert.Contains("may only read", await ProblemAsync(await reader.PostAsJsonAsync("dead-letters/requeue", new { filter = new { } }), HttpStatusCode.Forbidden));
        Assert.Contains("Both InstanceIds and Filter", await RefusedAsync(new { instanceIds = new[] { older }, filter = new { taskId = task.TaskId } }));
        Assert.Contains("Neither instanceIds nor filter", await RefusedAsync(new { }));
        Assert.Contains("Filter.Limit 1001 is out of range", await RefusedAsync(new { filter = new { limit = 1001 } }));
        Assert.Contains("Filter.Since", await RefusedAsync(new { filter = new { since = day, until = day } }));
        Assert.Contains("not a valid requeue", await ProblemAsync(await writer.PostAsync("dead-letters/requeue",
            new StringContent("{\"filter\": {\"since\": \"yesterday\"}}", System.Text.Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest));

        var first = await ReadAsync<DeadLettersRequeued>(await writer.PostAsJsonAsync("dead-letters/requeue", new { filter = new { taskId = task.TaskId, limit = 1 } }));
        var second = await ReadAsync<DeadLettersRequeued>(await writer.PostAsJsonAsync("dead-letters/requeue", new { filter = new { taskId = task.TaskId, limit = 1 } }));
        var none = await ReadAsync<DeadLettersRequeued>(await writer.PostAsJsonAsync("dead-letters/requeue", new { filter = new { taskId = task.TaskId } }));

        Assert.Equal([older], first.Requeued);
        Assert.True(first.More);
        Assert.Equal([newer], second.Requeued);
        Assert.False(second.More);
        Assert.Empty(none.Requeued);
        Assert.Equal(others, Assert.Single((await ReadAsync<DeadLetterList>(await reader.GetAsync("dead-letters"))).DeadLetters).Instance.InstanceId);
        Assert.Contains(node.AdminLog, l => l == $"Information: Admin key:ops-oncall requeued 1 dead letters matching DeadLetterFilter {{ TaskId = {task.TaskId}, " +
            $"Since = , Until = , DestinationQueue = , Limit = 1 }} (more match: True): {older}");
        Assert.Contains(node.AdminLog, l => l.StartsWith("Information: Admin key:ops-oncall tried to requeue dead letters, refused: Filter.Limit 1001", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Api_RefusesARequestWithoutCredentials_401_AndAWriteWithAReadKey_403()
    {
        await using var node = await AdminTestNode.StartAsync(o =>
        {
            Keys(o);
            o.TrustLoopback = false; // as for a caller on another host
        });
        var task = await ScheduleAsync(node);
        using var anonymous = node.CreateClient();
        using var wrongKey = node.CreateClient("not-a-configured-key-at-all");
        using var reader = node.CreateClient(ReadKey);
        using var writer = node.CreateClient(WriteKey);

        var noCredentials = await anonymous.GetAsync("tasks");
        Assert.Contains("X-Api-Key", await ProblemAsync(noCredentials, HttpStatusCode.Unauthorized));
        Assert.Equal("ApiKey header=\"X-Api-Key\"", noCredentials.Headers.WwwAuthenticate.ToString());
        await ProblemAsync(await anonymous.PostAsync($"tasks/{task.TaskId}/pause", null), HttpStatusCode.Unauthorized);
        await ProblemAsync(await anonymous.GetAsync(new Uri(node.DashboardUri, "openapi/scheduler-admin.json")), HttpStatusCode.Unauthorized);
        Assert.Contains("holds no configured key", await ProblemAsync(await wrongKey.GetAsync("tasks"), HttpStatusCode.Unauthorized));
        Assert.Single((await ReadAsync<TaskList>(await reader.GetAsync("tasks"))).Tasks);
        Assert.Contains("Key 'dashboard-viewer' may only read", await ProblemAsync(await reader.PostAsync($"tasks/{task.TaskId}/pause", null), HttpStatusCode.Forbidden));
        await ProblemAsync(await reader.PatchAsJsonAsync($"tasks/{task.TaskId}", new { trigger = "0 9 * * *" }), HttpStatusCode.Forbidden);
        Assert.Equal(TaskState.Active, (await node.Scheduling.GetAsync(task.TaskId))!.State);

        var paused = await ReadAsync<TaskChanged>(await writer.PostAsync($"tasks/{task.TaskId}/pause", null));

        Assert.Equal(TaskState.Paused, paused.Task.State);
        Assert.Equal(TaskState.Paused, (await node.Scheduling.GetAsync(task.TaskId))!.State);
        Assert.Equal([$"Information: Admin key:ops-oncall pause task {task.TaskId}: done, task now Paused"],
            node.AdminLog.Where(l => l.StartsWith("Information: Admin key:", StringComparison.Ordinal)));
        // Refusals are logged too, with what was refused (never the key presented).
        Assert.Contains(node.AdminLog, l => l.StartsWith($"Information: Admin refused POST /scheduler/api/tasks/{task.TaskId}/pause from 127.0.0.1 (403): Key 'dashboard-viewer' may only read", StringComparison.Ordinal));
        Assert.Equal(4, node.AdminLog.Count(l => l.Contains("(401)", StringComparison.Ordinal)));
        Assert.DoesNotContain(node.AdminLog, l => l.Contains(ReadKey, StringComparison.Ordinal) || l.Contains("not-a-configured-key", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Api_AsksCallersBeyondLoopbackForAKey_EvenWhenLoopbackIsTrusted()
    {
        var address = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        if (address is null)
        {
            Assert.Fail("This machine has no IPv4 address beyond loopback to call the admin from.");
        }

        await using var node = await AdminTestNode.StartAsync(Keys, urls: "http://0.0.0.0:0");
        var port = node.Addresses[0].Port;
        using var remote = new HttpClient { BaseAddress = new Uri($"http://{address}:{port}/scheduler/api/") };
        using var remoteReader = new HttpClient { BaseAddress = remote.BaseAddress };
        remoteReader.DefaultRequestHeaders.Add("X-Api-Key", ReadKey);
        using var local = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/scheduler/api/") };

        Assert.Contains($"requests from {address} need one", await ProblemAsync(await remote.GetAsync("tasks"), HttpStatusCode.Unauthorized));
        Assert.Equal(HttpStatusCode.OK, (await remoteReader.GetAsync("tasks")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await local.GetAsync("tasks")).StatusCode);
    }

    [Fact]
    public async Task Api_RefusesWritesFromAnotherSitesPage_AndLoopbackCallsUnderAnotherName()
    {
        await using var node = await AdminTestNode.StartAsync(Keys);
        var task = await ScheduleAsync(node);
        using var http = node.CreateClient();
        HttpRequestMessage Pause(string origin) => new(HttpMethod.Post, $"tasks/{task.TaskId}/pause") { Headers = { { "Origin", origin } } };

        // A page of another site that makes the operator's browser POST to the loopback admin (no CORS preflight for a plain POST).
        using var crossSite = Pause("http://evil.example");
        Assert.Contains("A write from the page at http://evil.example", await ProblemAsync(await http.SendAsync(crossSite), HttpStatusCode.Forbidden));
        using var crossSiteWithKey = Pause("http://evil.example");
        crossSiteWithKey.Headers.Add("X-Api-Key", WriteKey);
        await ProblemAsync(await http.SendAsync(crossSiteWithKey), HttpStatusCode.Forbidden);
        Assert.Equal(TaskState.Active, (await node.Scheduling.GetAsync(task.TaskId))!.State);
        // A name resolved to 127.0.0.1 by another site (DNS rebinding) is not loopback's: it needs a key.
        using var rebound = new HttpRequestMessage(HttpMethod.Get, "tasks") { Headers = { Host = $"evil.example:{node.Addresses[0].Port}" } };
        Assert.Contains("Requests addressed to 'evil.example' need an API key", await ProblemAsync(await http.SendAsync(rebound), HttpStatusCode.Unauthorized));

        // The dashboard's own page (same origin) writes, with a key.
        using var sameOrigin = Pause(node.Addresses[0].GetLeftPart(UriPartial.Authority));
        sameOrigin.Headers.Add("X-Api-Key", WriteKey);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(sameOrigin)).StatusCode);
        Assert.Equal(TaskState.Paused, (await node.Scheduling.GetAsync(task.TaskId))!.State);
    }

    [Fact]
    public async Task Start_Fails_WhenAKeyIsTooShortOrUnnamed_OrTheLoopbackRoleUnknown()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => AdminTestNode.StartAsync(o =>
        {
            o.ApiKeys.Add(new AdminApiKey { Name = "", Key = "short", Role = AdminRole.Write });
            o.LoopbackRole = (AdminRole)7;
        }));

        Assert.Contains("Admin:ApiKeys:0:Name is empty", error.Message);
        Assert.Contains("Admin:ApiKeys:0:Key ('') has 5 characters. Give at least 16", error.Message);
        Assert.Contains("Admin:LoopbackRole is 7. Use Read (the default) or Write.", error.Message);
    }

    /// <summary>Issue #20, item 3: the instances of every task in one state, a page at a time (keyset tokens), with their tasks.</summary>
    [Fact]
    public async Task Api_ListsTheInstancesOfEveryTask_ByState_APageAtATime()
    {
        await using var node = await AdminTestNode.StartAsync();
        using var http = node.CreateClient();
        var (acme, globex) = (await ScheduleAsync(node), await ScheduleAsync(node, tenant: "globex"));
        var at = new DateTimeOffset(2025, 1, 1, 9, 0, 0, TimeSpan.Zero);
        var older = await node.AddDeadLetterAsync(acme.TaskId, at, "System.TimeoutException: slow");
        var newer = await node.AddDeadLetterAsync(globex.TaskId, at.AddMinutes(1), "System.InvalidOperationException: no");

        var first = await ReadAsync<JsonElement>(await http.GetAsync("instances?state=Failed&pageSize=1"));
        var token = first.GetProperty("nextPageToken").GetString();
        var second = await ReadAsync<JsonElement>(await http.GetAsync($"instances?state=Failed&pageSize=1&pageToken={Uri.EscapeDataString(token!)}"));
        var all = await ReadAsync<JsonElement>(await http.GetAsync("instances"));

        static (Guid TaskId, Guid InstanceId, string State) Entry(JsonElement e) => (e.GetProperty("taskId").GetGuid(),
            e.GetProperty("instance").GetProperty("instanceId").GetGuid(), e.GetProperty("instance").GetProperty("state").GetString()!);
        Assert.Equal([(globex.TaskId, newer, "Failed")], first.GetProperty("instances").EnumerateArray().Select(Entry));
        Assert.Equal([(acme.TaskId, older, "Failed")], second.GetProperty("instances").EnumerateArray().Select(Entry));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("nextPageToken").ValueKind);
        Assert.Contains(all.GetProperty("instances").EnumerateArray(), e => Entry(e).InstanceId == older);
        Assert.Contains("state='Running' is not a TaskInstanceState", await ProblemAsync(await http.GetAsync("instances?state=Running"), HttpStatusCode.BadRequest));
        Assert.Contains("PageToken '12' is not one this scheduler gave out", await ProblemAsync(await http.GetAsync("instances?pageToken=12"), HttpStatusCode.BadRequest));
    }

    /// <summary>Issue #20, item 4: safe by default. Any process on the node's host may read without a key, but only a key (or the explicit
    /// opt-in) may change tasks, and the refusal says how to get in.</summary>
    [Fact]
    public async Task Api_LetsKeylessLoopbackCallersOnlyRead_UnlessWritingIsOptedInto()
    {
        await using var node = await AdminTestNode.StartAsync(Keys);
        var task = await ScheduleAsync(node);
        using var local = node.CreateClient();
        using var writer = node.CreateClient(WriteKey);

        Assert.Single((await ReadAsync<TaskList>(await local.GetAsync("tasks"))).Tasks);
        var refused = await local.PostAsync($"tasks/{task.TaskId}/pause", null);
        Assert.Equal("ApiKey header=\"X-Api-Key\"", refused.Headers.WwwAuthenticate.ToString());
        var detail = await ProblemAsync(refused, HttpStatusCode.Unauthorized);
        Assert.Contains("Without a key, requests from this host may only read (Admin:LoopbackRole is Read)", detail);
        Assert.Contains("set Admin:LoopbackRole to Write", detail);
        await ProblemAsync(await local.PostAsJsonAsync("dead-letters/requeue", new { instanceIds = new[] { Guid.NewGuid() } }), HttpStatusCode.Unauthorized);
        await ProblemAsync(await local.PatchAsJsonAsync($"tasks/{task.TaskId}", new { trigger = "0 9 * * *" }), HttpStatusCode.Unauthorized);
        Assert.Equal(TaskState.Active, (await node.Scheduling.GetAsync(task.TaskId))!.State);

        Assert.Equal(TaskState.Paused, (await ReadAsync<TaskChanged>(await writer.PostAsync($"tasks/{task.TaskId}/pause", null))).Task.State);
        Assert.Contains(node.AdminLog, l => l.StartsWith($"Information: Admin refused POST /scheduler/api/tasks/{task.TaskId}/pause from 127.0.0.1 (401): Without a key", StringComparison.Ordinal));

        await using var optedIn = await AdminTestNode.StartAsync(o => o.LoopbackRole = AdminRole.Write);
        var mine = await ScheduleAsync(optedIn);
        using var developer = optedIn.CreateClient();
        Assert.Equal(TaskState.Paused, (await ReadAsync<TaskChanged>(await developer.PostAsync($"tasks/{mine.TaskId}/pause", null))).Task.State);
    }

    /// <summary>Issue #20, item 4: no other site may frame the dashboard (clickjacking its buttons) or get a response sniffed as another type;
    /// the page loads only its own assets; data is not cached; the assets answer HEAD and revalidate by ETag.</summary>
    [Fact]
    public async Task Responses_ForbidFramingAndSniffing_DataIsNotCached_AndAssetsRevalidateByETag()
    {
        await using var node = await AdminTestNode.StartAsync();
        using var http = node.CreateClient();

        static void AssertHardened(HttpResponseMessage response)
        {
            Assert.Equal("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
                string.Join(", ", response.Headers.GetValues("Content-Security-Policy")));
            Assert.Equal("DENY", string.Join(", ", response.Headers.GetValues("X-Frame-Options")));
            Assert.Equal("nosniff", string.Join(", ", response.Headers.GetValues("X-Content-Type-Options")));
            Assert.Equal("no-referrer", string.Join(", ", response.Headers.GetValues("Referrer-Policy")));
        }

        var page = await http.GetAsync(node.DashboardUri);
        var tasks = await http.GetAsync("tasks");
        var refused = await http.PostAsync($"tasks/{Guid.NewGuid()}/pause", null);
        var openApi = await http.GetAsync(new Uri(node.DashboardUri, "openapi/scheduler-admin.json"));
        foreach (var response in new[] { page, tasks, refused, openApi })
        {
            AssertHardened(response);
        }

        Assert.True(tasks.Headers.CacheControl?.NoStore);
        Assert.True(openApi.Headers.CacheControl?.NoStore);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        foreach (var asset in new[] { "", "dashboard.js", "dashboard.css" })
        {
            var uri = new Uri(node.DashboardUri, asset);
            var get = await http.GetAsync(uri);
            var body = await get.Content.ReadAsByteArrayAsync();
            using var headRequest = new HttpRequestMessage(HttpMethod.Head, uri);
            var head = await http.SendAsync(headRequest);
            Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (get.StatusCode, head.StatusCode));
            AssertHardened(head);
            Assert.NotEmpty(body);
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
            Assert.Equal(body.Length, head.Content.Headers.ContentLength);
            Assert.True(get.Headers.CacheControl?.NoCache);
            var etag = get.Headers.ETag;
            Assert.NotNull(etag);
            Assert.False(etag.IsWeak);
            Assert.Equal(etag, head.Headers.ETag);

            using var revalidate = new HttpRequestMessage(HttpMethod.Get, uri) { Headers = { IfNoneMatch = { etag } } };
            var notModified = await http.SendAsync(revalidate);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
            Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
        }
    }
}
