using System.Net;
using System.Net.Http.Json;
using Scheduler.Contracts;
using Scheduler.Core.Runtime;
using Scheduler.TestSupport;

namespace Scheduler.IntegrationTests.Admin;

/// <summary>Issue #20, items 1, 3 and 4 over HTTP: create a task, the instances across tasks by filter, one instance by id.</summary>
public sealed partial class AdminApiTests
{
    [Fact]
    public async Task Api_CreatesATask_AsScheduleTaskDoes_Idempotently_AndRefusesAnInvalidOneNamingTheField()
    {
        await using var node = await AdminTestNode.StartAsync(Keys);
        using var writer = node.CreateClient(WriteKey);
        using var reader = node.CreateClient(ReadKey);
        var body = new
        {
            trigger = "0 9 * * *", timeZone = "Europe/Berlin", destinationQueue = "reports", payload = "{\"report\":\"daily\"}",
            metadata = new { tenant = "acme" }, retry = new { maxAttempts = 4 }, expireAfter = "00:02:00", idempotencyKey = "daily-report-acme",
        };

        var created = await writer.PostAsJsonAsync("tasks", body);
        var again = await writer.PostAsJsonAsync("tasks", body);
        var givenId = Guid.NewGuid();
        var withId = await writer.PostAsJsonAsync("tasks", new { taskId = givenId, trigger = "in 1 hour" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var scheduled = await ReadAsync<TaskScheduled>(created);
        Assert.Equal($"/scheduler/api/tasks/{scheduled.TaskId}", created.Headers.Location?.OriginalString);
        Assert.False(scheduled.AlreadyScheduled);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var repeated = await ReadAsync<TaskScheduled>(again);
        Assert.Equal((scheduled.TaskId, true), (repeated.TaskId, repeated.AlreadyScheduled));
        Assert.Equal((HttpStatusCode.Created, givenId), (withId.StatusCode, (await ReadAsync<TaskScheduled>(withId)).TaskId));
        var task = await ReadAsync<TaskInfo>(await reader.GetAsync($"tasks/{scheduled.TaskId}"));
        Assert.Equal(("0 9 * * *", "Europe/Berlin", "reports", "{\"report\":\"daily\"}", "acme", 4, TimeSpan.FromMinutes(2)),
            (task.Trigger, task.TimeZone, task.DestinationQueue, task.Payload, task.Metadata["tenant"], task.Retry.MaxAttempts, task.ExpireAfter));

        // Refusals: 400, naming the field and the fix, nothing stored; a read key may not create.
        Assert.Contains("'trigger'", await ProblemAsync(await writer.PostAsJsonAsync("tasks", new { timeZone = "UTC" }), HttpStatusCode.BadRequest));
        Assert.Contains("Mars/Olympus_Mons", await ProblemAsync(await writer.PostAsJsonAsync("tasks", new { trigger = "0 9 * * *", timeZone = "Mars/Olympus_Mons" }), HttpStatusCode.BadRequest));
        Assert.Contains("$.expireAfter", await ProblemAsync(await writer.PostAsJsonAsync("tasks", new { trigger = "0 9 * * *", expireAfter = "soon" }), HttpStatusCode.BadRequest));
        Assert.Contains("IdempotencyKey 'daily-report-acme' is already scheduled with a different Trigger", await ProblemAsync(await writer.PostAsJsonAsync("tasks", body with { trigger = "0 10 * * *" }), HttpStatusCode.BadRequest));
        Assert.Contains("may only read", await ProblemAsync(await reader.PostAsJsonAsync("tasks", new { trigger = "0 9 * * *" }), HttpStatusCode.Forbidden));
        Assert.Equal(2, (await node.Scheduling.ListAsync(new ListTasks())).Tasks.Count);

        Assert.Contains(node.AdminLog, l => l.StartsWith($"Information: Admin key:ops-oncall create task {scheduled.TaskId}: done, next fire time ", StringComparison.Ordinal));
        Assert.Contains(node.AdminLog, l => l == $"Information: Admin key:ops-oncall create task {scheduled.TaskId}: scheduled already with the same content, nothing stored");
        Assert.Contains(node.AdminLog, l => l.StartsWith("Information: Admin key:ops-oncall tried to create a task, refused: ", StringComparison.Ordinal)
            && l.Contains("Mars/Olympus_Mons", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Api_ListsInstancesAcrossTasks_ByTask_Destination_Metadata_AndTimes_AndReadsOneInstanceById()
    {
        await using var node = await AdminTestNode.StartAsync(Keys);
        using var reader = node.CreateClient(ReadKey);
        var acme = await ScheduleAsync(node, "0 0 1 1 *", tenant: "acme"); // destination admin-test-worker
        var globex = await node.Scheduling.ScheduleAsync(new ScheduleTask
        {
            Trigger = "0 0 1 1 *", DestinationQueue = "billing", Metadata = new Dictionary<string, string> { ["tenant"] = "globex" },
        });
        var at = new DateTimeOffset(2025, 1, 1, 9, 0, 0, TimeSpan.Zero);
        var acmeDead = await node.AddDeadLetterAsync(acme.TaskId, at, "System.TimeoutException: slow");
        var globexDead = await node.AddDeadLetterAsync(globex.TaskId, at.AddHours(1), "System.TimeoutException: slow");

        async Task<Guid[]> Ids(string query) => [.. (await ReadAsync<InstanceList>(await reader.GetAsync("instances?state=Failed&" + query))).Instances.Select(e => e.Instance.InstanceId)];

        Assert.Equal([globexDead, acmeDead], await Ids(""));
        Assert.Equal([acmeDead], await Ids($"taskId={acme.TaskId}"));
        Assert.Equal([globexDead], await Ids("destinationQueue=billing"));
        Assert.Equal([acmeDead], await Ids("metadataKey=tenant&metadataValue=acme"));
        Assert.Equal([globexDead, acmeDead], await Ids("metadataKey=tenant"));
        Assert.Equal([acmeDead], await Ids("firedSince=2025-01-01T09:00:00Z&firedUntil=2025-01-01T10:00:00Z"));
        Assert.Equal([globexDead], await Ids("finishedSince=2025-01-01T09:30:00Z"));
        Assert.Empty(await Ids("destinationQueue=billing&metadataValue=acme&metadataKey=tenant"));

        var one = await ReadAsync<TaskInstanceEntry>(await reader.GetAsync($"instances/{acmeDead}"));
        Assert.Equal((acme.TaskId, acmeDead, TaskInstanceState.Failed), (one.TaskId, one.Instance.InstanceId, one.Instance.State));
        Assert.Contains($"There is no task instance {globex.TaskId}", await ProblemAsync(await reader.GetAsync($"instances/{globex.TaskId}"), HttpStatusCode.NotFound));
        Assert.Contains("taskId='acme' is not an id", await ProblemAsync(await reader.GetAsync("instances?taskId=acme"), HttpStatusCode.BadRequest));
        Assert.Contains("firedSince='yesterday' is not an instant", await ProblemAsync(await reader.GetAsync("instances?firedSince=yesterday"), HttpStatusCode.BadRequest));
        Assert.Contains("without a metadata key", await ProblemAsync(await reader.GetAsync("instances?metadataValue=acme"), HttpStatusCode.BadRequest));
        Assert.Contains("The finished range is empty", await ProblemAsync(
            await reader.GetAsync("instances?finishedSince=2025-01-02T00:00:00Z&finishedUntil=2025-01-01T00:00:00Z"), HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Api_DeletesAndRetriesNowTheInstancesMatchingAFilter_APageAtATime_WithAContinuation()
    {
        await using var node = await AdminTestNode.StartAsync(Keys);
        using var writer = node.CreateClient(WriteKey);
        using var reader = node.CreateClient(ReadKey);
        var acme = await ScheduleAsync(node, "0 0 1 1 *", tenant: "acme");
        var globex = await ScheduleAsync(node, "0 0 1 1 *", tenant: "globex");
        var at = new DateTimeOffset(2025, 1, 1, 9, 0, 0, TimeSpan.Zero);
        var acmeDead = new[] { await node.AddDeadLetterAsync(acme.TaskId, at, "boom"), await node.AddDeadLetterAsync(acme.TaskId, at.AddHours(1), "boom") };
        var globexDead = await node.AddDeadLetterAsync(globex.TaskId, at, "boom");
        var retry = (await node.Store.GetDefinitionAsync(acme.TaskId))!.Retry;
        var waiting = new Scheduler.Core.Definitions.TaskInstance
        {
            Id = Guid.CreateVersion7(), DefinitionId = acme.TaskId, FireTime = at.AddHours(2), Status = TaskInstanceState.Scheduled, Attempt = 1,
            DueAt = TimeProvider.System.GetUtcNow().AddHours(1), ExpireAfter = TimeSpan.FromMinutes(5), Retry = retry, LastError = "System.Exception: boom",
        };
        Assert.True((await node.Store.AddInstanceAsync(waiting)).Added);

        // Delete, one at a time through the continuation: acme's finished instances only; its waiting retry is not finished, left alone.
        var first = await ReadAsync<InstanceBatch>(await writer.PostAsJsonAsync("instances/delete", new { filter = new { taskId = acme.TaskId }, limit = 2 }));
        var second = await ReadAsync<InstanceBatch>(await writer.PostAsJsonAsync("instances/delete", new { filter = new { taskId = acme.TaskId }, limit = 2, pageToken = first.NextPageToken }));

        Assert.Equal([acmeDead[1]], first.Affected); // the page: the waiting one (latest, left alone), then acme's later dead letter
        Assert.Equal(1, first.LeftAlone);
        Assert.NotNull(first.NextPageToken);
        Assert.Equal([acmeDead[0]], second.Affected);
        Assert.Equal((0, (string?)null), (second.LeftAlone, second.NextPageToken));
        Assert.Null(await node.Store.GetInstanceAsync(acmeDead[0]));
        Assert.NotNull(await node.Store.GetInstanceAsync(globexDead));
        Assert.NotNull(await node.Store.GetInstanceAsync(waiting.Id));

        // Retry now: the waiting retry is due now, attempts kept; a dead letter is not retried (it is requeued instead).
        var retried = await ReadAsync<InstanceBatch>(await writer.PostAsJsonAsync("instances/retry", new { filter = new { metadataKey = "tenant", metadataValue = "acme" } }));
        Assert.Equal([waiting.Id], retried.Affected);
        Assert.Equal((0, (string?)null), (retried.LeftAlone, retried.NextPageToken));
        // Due now: the node's runner may have claimed and sent it already (nothing consumes its queue).
        Assert.True(await node.Store.GetInstanceAsync(waiting.Id) is { } due && (due.Status != TaskInstanceState.Scheduled || due.DueAt <= TimeProvider.System.GetUtcNow()));

        Assert.Contains("State Failed cannot be retried now", await ProblemAsync(await writer.PostAsJsonAsync("instances/retry", new { filter = new { state = "Failed" } }), HttpStatusCode.BadRequest));
        Assert.Contains("State Scheduled is not a finished state", await ProblemAsync(await writer.PostAsJsonAsync("instances/delete", new { filter = new { state = "Scheduled" } }), HttpStatusCode.BadRequest));
        Assert.Contains("Limit 0 is out of range", await ProblemAsync(await writer.PostAsJsonAsync("instances/delete", new { limit = 0 }), HttpStatusCode.BadRequest));
        Assert.Contains("may only read", await ProblemAsync(await reader.PostAsJsonAsync("instances/delete", new { }), HttpStatusCode.Forbidden));
        Assert.NotNull(await node.Store.GetInstanceAsync(globexDead));
        Assert.True(node.AdminLog.Any(l => l.StartsWith($"Information: Admin key:ops-oncall deleted 1 instances matching InstanceFilter {{ TaskId = {acme.TaskId}", StringComparison.Ordinal)
            && l.EndsWith($"(1 left alone, more match: True): [{acmeDead[1]}]", StringComparison.Ordinal)), string.Join("\n", node.AdminLog));
        Assert.Contains(node.AdminLog, l => l.StartsWith("Information: Admin key:ops-oncall asked for instances matching a filter to be deleted, refused: Limit 0", StringComparison.Ordinal));
    }
}
