using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Scheduler.AspNetCore.Security;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Runtime;
using Scheduler.Core.Storage;

namespace Scheduler.AspNetCore.Api;

/// <summary>
/// The admin API's endpoints, each a call of <see cref="SchedulingService"/> (the operations of the bus's task commands and queries):
/// reads under the read access filter, writes under the write one. A <see cref="TaskValidationException"/> becomes 400 with its message
/// (which names the value and the fix) as the problem's detail; an unknown task 404.
/// </summary>
internal static partial class AdminApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context).ConfigureAwait(false);
            }
            catch (TaskValidationException ex)
            {
                return Results.Problem(ex.Message, statusCode: StatusCodes.Status400BadRequest, title: "Invalid request");
            }
        });

        var read = api.MapGroup("").AddEndpointFilter(new AdminAccessFilter(AdminRole.Read));
        var write = api.MapGroup("").AddEndpointFilter(new AdminAccessFilter(AdminRole.Write));

        read.MapGet("/tasks", ListTasksAsync).WithName("ListTasks").WithSummary("A page of tasks, oldest first")
            .WithDescription("Filters: state (Active, Paused, Cancelled, Finished), metadataKey with optional metadataValue; pageSize 1 to 1000 (default 100), pageToken from the previous page's nextPageToken.")
            .Produces<TaskList>().ProducesProblem(400);
        AdminViewsApi.Map(read);
        read.MapGet("/tasks/{taskId:guid}", GetTaskAsync).WithName("GetTask").WithSummary("One task, with its upcoming fire times")
            .WithDescription("nextFireTime is the earliest fire time that will still fire; upcomingFireTimes the next ones, earliest first: upcoming 0 to 50 (default 5).")
            .Produces<TaskInfo>().ProducesProblem(400).ProducesProblem(404);
        read.MapGet("/tasks/{taskId:guid}/instances", ListInstancesAsync).WithName("ListTaskInstances")
            .WithSummary("A page of a task's instances, latest fire time first, with attempts, times and last error")
            .WithDescription("Filters: state (Scheduled, Claimed, Dispatched, Completed, Failed, Cancelled, Skipped); pageSize 1 to 1000 (default 100), pageToken.")
            .Produces<TaskInstanceList>().ProducesProblem(400).ProducesProblem(404);
        read.MapGet("/dead-letters", ListDeadLettersAsync).WithName("ListDeadLetters")
            .WithSummary("A page of dead letters: Failed instances of every task, newest failure first")
            .Produces<DeadLetterList>().ProducesProblem(400);
        read.MapGet("/cluster", GetClusterAsync).WithName("GetCluster")
            .WithSummary("Backlog due now, every node (idle ones and ones that stopped ticking too), and completed, failed, dispatched, lateness and backlog per bucket")
            .WithDescription("minutes: how far back the activity goes (default 60, at most 1440); bucketSeconds: one bucket's width (default 60). Derived from the task instances table; docs/running.md says how.")
            .Produces<ClusterView>().ProducesProblem(400);
        read.MapGet("/destinations", ListDestinationsAsync).WithName("ListDestinations")
            .WithSummary("Every destination queue, with its consumers (one without any for Scheduler:DestinationGrace holds its tasks back), backlog due now, instances in flight, dead letters of the last 24 h and last dispatch")
            .WithDescription("Consumers are this node's own view, checked on RabbitMQ every third of Scheduler:DestinationGrace (null on a bus that cannot tell, in-memory, or with the watch off); " +
                "the counts come from the store, for every queue with a task instance stored (broadcast tasks are left out).")
            .Produces<IReadOnlyList<DestinationView>>();

        read.MapGet("/calendars", ListCalendarsAsync).WithName("ListCalendars").WithSummary("Every calendar, by name (as ListCalendars)")
            .Produces<CalendarList>();
        read.MapGet("/calendars/{name}", GetCalendarAsync).WithName("GetCalendar").WithSummary("One calendar (as GetCalendar)")
            .Produces<CalendarInfo>().ProducesProblem(404);
        write.MapPut("/calendars/{name}", SetCalendarAsync).WithName("SetCalendar")
            .WithSummary("Create or replace a calendar; the tasks that name it are planned again with it (as SetCalendar; name may be left out of the body)")
            .Accepts<SetCalendar>("application/json").Produces<CalendarChanged>().ProducesProblem(400);
        write.MapDelete("/calendars/{name}", DeleteCalendarAsync).WithName("DeleteCalendar")
            .WithSummary("Delete a calendar no task names (as DeleteCalendar); found is false when there was none")
            .Produces<CalendarDeleted>().ProducesProblem(400);

        write.MapPost("/dead-letters/requeue", RequeueDeadLettersAsync).WithName("RequeueDeadLetters")
            .WithSummary("Requeue dead letters, named or by a filter: each is due now, with a fresh attempt budget (as RequeueDeadLetters)")
            .WithDescription("Body: {\"instanceIds\": [...]}, 1 to 1000 ids from GET dead-letters, or {\"filter\": {\"taskId\", \"since\", \"until\", " +
                "\"destinationQueue\", \"limit\"}}: the oldest limit (1 to 1000, default 100) dead letters matching every field given; more is true when " +
                "more matched. Instances that are not dead letters are left alone and left out of the reply.")
            .Accepts<RequeueDeadLetters>("application/json").Produces<DeadLettersRequeued>().ProducesProblem(400);

        write.MapPost("/tasks/{taskId:guid}/pause", PauseAsync).WithName("PauseTask")
            .WithSummary("Pause a task: it fires nothing until resumed (as the PauseTask command)")
            .Produces<TaskChanged>().ProducesProblem(400).ProducesProblem(404);
        write.MapPost("/tasks/{taskId:guid}/resume", ResumeAsync).WithName("ResumeTask")
            .WithSummary("Resume a paused task; missed fire times follow its misfire policy (as ResumeTask)")
            .Produces<TaskChanged>().ProducesProblem(400).ProducesProblem(404);
        write.MapPatch("/tasks/{taskId:guid}", UpdateAsync).WithName("UpdateTask")
            .WithSummary("Change a task: the properties given replace the stored ones (as UpdateTask; taskId may be left out of the body)")
            .Accepts<UpdateTask>("application/json").Produces<TaskChanged>().ProducesProblem(400).ProducesProblem(404);
        write.MapPost("/tasks/{taskId:guid}/trigger", TriggerAsync).WithName("TriggerTaskNow")
            .WithSummary("Run a task once now, as one extra instance (as TriggerTaskNow); instanceId makes it idempotent")
            .Produces<TaskChanged>().ProducesProblem(400).ProducesProblem(404);
        write.MapPost("/tasks/{taskId:guid}/cancel", CancelAsync).WithName("CancelTask")
            .WithSummary("Cancel a task: it fires no more, its instances not yet dispatched are cancelled (as CancelTask). Changed is false when it was cancelled already.")
            .Produces<TaskChanged>().ProducesProblem(404);
        write.MapDelete("/tasks/{taskId:guid}", DeleteTaskAsync).WithName("DeleteTask")
            .WithSummary("Delete a task and all its instances (as DeleteTask); refused (400) while an instance is Claimed or Dispatched: cancel it first and wait until they finish")
            .Produces<TaskDeleted>().ProducesProblem(400).ProducesProblem(404);
        write.MapDelete("/instances/{instanceId:guid}", DeleteInstanceAsync).WithName("DeleteTaskInstance")
            .WithSummary("Delete a finished instance: Completed, Failed, Cancelled or Skipped (as DeleteTaskInstance); refused (400) in any other state")
            .Produces<TaskInstanceDeleted>().ProducesProblem(400).ProducesProblem(404);
        write.MapPost("/instances/{instanceId:guid}/retry", RetryInstanceNowAsync).WithName("RetryTaskInstanceNow")
            .WithSummary("Make an instance waiting for its retry backoff due now, attempts kept (as RetryTaskInstanceNow); refused (400) in any other state, e.g. a dead letter (requeue it instead)")
            .Produces<TaskInstanceRetried>().ProducesProblem(400).ProducesProblem(404);
        MapOperations(read, write);
    }

    private static async Task<IResult> ListTasksAsync(SchedulingService scheduling, string? state, string? metadataKey, string? metadataValue,
        string? pageSize, string? pageToken, CancellationToken cancellationToken) =>
        Json(await scheduling.ListAsync(new ListTasks
        {
            State = AdminQuery.Enum<TaskState>(state, "state"),
            MetadataKey = metadataKey,
            MetadataValue = metadataValue,
            PageSize = AdminQuery.Int(pageSize, "pageSize", 100),
            PageToken = pageToken,
        }, cancellationToken).ConfigureAwait(false));

    private static async Task<IResult> GetTaskAsync(SchedulingService scheduling, Guid taskId, string? upcoming, CancellationToken cancellationToken) =>
        await scheduling.GetDetailAsync(taskId, AdminQuery.Int(upcoming, "upcoming", 5), cancellationToken).ConfigureAwait(false) is { } task
            ? Json(task) : NotFound(taskId);

    private static async Task<IResult> ListInstancesAsync(SchedulingService scheduling, Guid taskId, string? state, string? pageSize, string? pageToken,
        CancellationToken cancellationToken) =>
        await scheduling.GetInstancesAsync(new GetTaskInstances
        {
            TaskId = taskId,
            State = AdminQuery.Enum<TaskInstanceState>(state, "state"),
            PageSize = AdminQuery.Int(pageSize, "pageSize", 100),
            PageToken = pageToken,
        }, cancellationToken).ConfigureAwait(false) is { } list ? Json(list) : NotFound(taskId);

    private static async Task<IResult> ListDeadLettersAsync(SchedulingService scheduling, string? pageSize, string? pageToken, CancellationToken cancellationToken) =>
        Json(await scheduling.ListDeadLettersAsync(AdminQuery.Int(pageSize, "pageSize", 100), pageToken, cancellationToken).ConfigureAwait(false));

    private static async Task<IResult> GetClusterAsync(SchedulingService scheduling, string? minutes, string? bucketSeconds, CancellationToken cancellationToken) =>
        Json(await scheduling.GetClusterViewAsync(TimeSpan.FromMinutes(AdminQuery.Int(minutes, "minutes", 60)),
            TimeSpan.FromSeconds(AdminQuery.Int(bucketSeconds, "bucketSeconds", 60)), cancellationToken).ConfigureAwait(false));

    private static async Task<IResult> ListDestinationsAsync(SchedulingService scheduling, [Microsoft.AspNetCore.Mvc.FromServices] DestinationWatch watch,
        CancellationToken cancellationToken) =>
        Json(await scheduling.ListDestinationsAsync(watch.Snapshot(), cancellationToken).ConfigureAwait(false));

    private static Task<IResult> PauseAsync(HttpContext http, SchedulingService scheduling, Guid taskId, CancellationToken cancellationToken) =>
        WriteAsync(http, "pause", taskId, () => scheduling.PauseAsync(taskId, cancellationToken));

    private static Task<IResult> ResumeAsync(HttpContext http, SchedulingService scheduling, Guid taskId, CancellationToken cancellationToken) =>
        WriteAsync(http, "resume", taskId, () => scheduling.ResumeAsync(taskId, cancellationToken));

    private static Task<IResult> TriggerAsync(HttpContext http, SchedulingService scheduling, Guid taskId, Guid? instanceId, CancellationToken cancellationToken) =>
        WriteAsync(http, "trigger", taskId, () => scheduling.TriggerNowAsync(taskId, instanceId ?? Guid.CreateVersion7(), cancellationToken));

    private static Task<IResult> CancelAsync(HttpContext http, SchedulingService scheduling, Guid taskId, CancellationToken cancellationToken) =>
        WriteAsync(http, "cancel", taskId, async () =>
        {
            var cancelled = await scheduling.CancelAsync(taskId, cancellationToken).ConfigureAwait(false);
            return await scheduling.GetAsync(taskId, cancellationToken).ConfigureAwait(false) is { } task
                ? new TaskChanged { TaskId = taskId, Changed = cancelled.Found, Task = task }
                : null;
        });

    private static Task<IResult> DeleteTaskAsync(HttpContext http, SchedulingService scheduling, Guid taskId, CancellationToken cancellationToken) =>
        WriteOneAsync(http, "delete", "task", taskId, () => scheduling.DeleteAsync(taskId, cancellationToken),
            deleted => deleted.Found ? $"deleted, with {deleted.InstancesDeleted} instances" : null, () => NotFound(taskId));

    private static Task<IResult> DeleteInstanceAsync(HttpContext http, SchedulingService scheduling, Guid instanceId, CancellationToken cancellationToken) =>
        WriteOneAsync(http, "delete", "instance", instanceId, () => scheduling.DeleteInstanceAsync(instanceId, cancellationToken),
            deleted => deleted.Found ? $"deleted, of task {deleted.TaskId}" : null, () => InstanceNotFound(instanceId));

    private static Task<IResult> RetryInstanceNowAsync(HttpContext http, SchedulingService scheduling, Guid instanceId, CancellationToken cancellationToken) =>
        WriteOneAsync(http, "retry now", "instance", instanceId, () => scheduling.RetryInstanceNowAsync(instanceId, cancellationToken),
            retried => !retried.Found ? null : retried.Changed ? $"due now, attempt {retried.Instance!.Attempt} of {retried.Instance.MaxAttempts}" : "due already",
            () => InstanceNotFound(instanceId));

    // A write of one task or instance, logged with who made it and what came of it (`outcome`: null when there was no such one, answered with
    // `notFound`), or why it was refused.
    private static async Task<IResult> WriteOneAsync<T>(HttpContext http, string action, string target, Guid id, Func<Task<T>> write,
        Func<T, string?> outcome, Func<IResult> notFound)
    {
        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(AdminLog.Category);
        var caller = AdminAccessFilter.Caller(http);
        try
        {
            var result = await write().ConfigureAwait(false);
            var done = outcome(result);
            var logged = done ?? $"refused: no such {target}";
            AdminLog.WriteOne(logger, caller, action, target, id, logged);
            return done is null ? notFound() : Json(result);
        }
        catch (TaskValidationException ex)
        {
            var refused = "refused: " + ex.Message;
            AdminLog.WriteOne(logger, caller, action, target, id, refused);
            throw;
        }
    }

    private static async Task<IResult> UpdateAsync(HttpContext http, SchedulingService scheduling, Guid taskId, CancellationToken cancellationToken)
    {
        var update = await ReadBodyAsync<UpdateTask>(http, "taskId", taskId.ToString(), given => Guid.TryParse(given, out var id) && id == taskId,
            $"the task {taskId}", ("the properties to change", "{\"trigger\": \"0 9 * * *\"}"),
            ("task update", "{\"trigger\": \"0 9 * * *\", \"timeZone\": \"Europe/Berlin\"}"), cancellationToken).ConfigureAwait(false);
        return await WriteAsync(http, "update", taskId, () => scheduling.UpdateAsync(update, cancellationToken)).ConfigureAwait(false);
    }

    // The body, a JSON object, as a T whose `key` is the path's `pathValue`: the body may leave `key` out (in any case), or give what `same`
    // takes for the path's; a body that is not such an object is refused naming what to send (`expected`: what, a short example; `invalid`:
    // what it is not, a full example).
    private static async Task<T> ReadBodyAsync<T>(HttpContext http, string key, string pathValue, Func<string, bool> same, string pathName,
        (string What, string Example) expected, (string What, string Example) invalid, CancellationToken cancellationToken)
    {
        try
        {
            var body = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: cancellationToken).ConfigureAwait(false) as JsonObject
                ?? throw new TaskValidationException($"The body is not a JSON object. Send {expected.What}, e.g. {expected.Example}.");
            var given = body.FirstOrDefault(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase));
            if (given.Value is not null && !(given.Value.GetValueKind() == JsonValueKind.String && same(given.Value.GetValue<string>())))
            {
                throw new TaskValidationException($"The body's {key} {given.Value} differs from {pathName} in the path. Leave it out, or give the same.");
            }

            if (given.Key is not null)
            {
                body.Remove(given.Key);
            }

            body[key] = pathValue;
            return body.Deserialize<T>(AdminJson.Options)!;
        }
        catch (JsonException ex)
        {
            throw new TaskValidationException($"The body is not a valid {invalid.What}: {ex.Message} Send JSON such as {invalid.Example}.");
        }
    }

    private static async Task<IResult> WriteAsync(HttpContext http, string action, Guid taskId, Func<Task<TaskChanged?>> write)
    {
        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(AdminLog.Category);
        var caller = AdminAccessFilter.Caller(http);
        TaskChanged? result;
        try
        {
            result = await write().ConfigureAwait(false);
        }
        catch (TaskValidationException ex)
        {
            AdminLog.Refused(logger, caller, action, taskId, ex.Message);
            throw;
        }

        if (result is null)
        {
            AdminLog.Refused(logger, caller, action, taskId, "no such task");
            return NotFound(taskId);
        }

        AdminLog.Write(logger, caller, action, taskId, result.Changed
            ? $"done{(result.InstanceId is { } instance ? $", instance {instance}" : "")}, task now {result.Task.State}"
            : $"nothing to change, task is {result.Task.State}");
        return Json(result);
    }

    private static async Task<IResult> RequeueDeadLettersAsync(HttpContext http, SchedulingService scheduling, CancellationToken cancellationToken)
    {
        const string example = "{\"instanceIds\": [\"0193a5c2-7d4e-7b1a-9f00-3c5d2e1f0a4b\"]} or {\"filter\": {\"taskId\": \"0193a5c2-7d4e-7b1a-9f00-3c5d2e1f0a4b\", \"limit\": 100}}";
        RequeueDeadLetters? command;
        try
        {
            command = await JsonSerializer.DeserializeAsync<RequeueDeadLetters>(http.Request.Body, AdminJson.Options, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            throw new TaskValidationException($"The body is not a valid requeue: {ex.Message} Send JSON such as {example}.");
        }

        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(AdminLog.Category);
        var caller = AdminAccessFilter.Caller(http);
        try
        {
            var result = await scheduling.RequeueAsync(command ?? new RequeueDeadLetters(), cancellationToken).ConfigureAwait(false);
            if (command?.Filter is { } filter)
            {
                AdminLog.RequeuedMatching(logger, caller, result.Requeued.Count, filter, result.More, result.Requeued);
            }
            else
            {
                AdminLog.Requeued(logger, caller, result.Requeued.Count, command!.InstanceIds!.Count, result.Requeued);
            }

            return Json(result);
        }
        catch (TaskValidationException ex)
        {
            AdminLog.RequeueRefused(logger, caller, ex.Message);
            throw;
        }
    }

    private static async Task<IResult> ListCalendarsAsync(SchedulingService scheduling, CancellationToken cancellationToken) =>
        Json(await scheduling.ListCalendarsAsync(cancellationToken).ConfigureAwait(false));

    private static async Task<IResult> GetCalendarAsync(SchedulingService scheduling, string name, CancellationToken cancellationToken) =>
        await scheduling.GetCalendarAsync(name, cancellationToken).ConfigureAwait(false) is { } calendar ? Json(calendar) : Results.Problem(
            $"There is no calendar '{name}'. List them with GET api/calendars; create one with PUT api/calendars/{name}.",
            statusCode: StatusCodes.Status404NotFound, title: "Calendar not found");

    private static async Task<IResult> SetCalendarAsync(HttpContext http, SchedulingService scheduling, string name, CancellationToken cancellationToken)
    {
        var command = await ReadBodyAsync<SetCalendar>(http, "name", name, given => given == name, $"the calendar '{name}'",
            ("the calendar", "{\"dates\": [\"2025-12-25\"]}"),
            ("calendar", "{\"dates\": [\"2025-12-25\", \"2025-12-31..2026-01-01\"], \"timeZone\": \"Europe/Berlin\"}"), cancellationToken).ConfigureAwait(false);
        return await CalendarWriteAsync(http, "set", name, () => scheduling.SetCalendarAsync(command, cancellationToken),
            changed => changed.Changed ? $"version {changed.Calendar.Version}, {changed.TasksReplanned} tasks planned again" : "nothing to change").ConfigureAwait(false);
    }

    private static Task<IResult> DeleteCalendarAsync(HttpContext http, SchedulingService scheduling, string name, CancellationToken cancellationToken) =>
        CalendarWriteAsync(http, "delete", name, () => scheduling.DeleteCalendarAsync(name, cancellationToken),
            deleted => deleted.Found ? "deleted" : "no such calendar");

    // A calendar write, logged with who made it and what came of it (or why it was refused).
    private static async Task<IResult> CalendarWriteAsync<T>(HttpContext http, string action, string name, Func<Task<T>> write, Func<T, string> outcome)
    {
        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(AdminLog.Category);
        var caller = AdminAccessFilter.Caller(http);
        try
        {
            var result = await write().ConfigureAwait(false);
            var done = outcome(result);
            AdminLog.CalendarWrite(logger, caller, action, name, done);
            return Json(result);
        }
        catch (TaskValidationException ex)
        {
            var refused = "refused: " + ex.Message;
            AdminLog.CalendarWrite(logger, caller, action, name, refused);
            throw;
        }
    }

    private static IResult Json<T>(T value) => Results.Json(value, AdminJson.Options);

    private static IResult InstanceNotFound(Guid instanceId) => Results.Problem(
        $"There is no task instance {instanceId}. It was deleted, or retention deleted it after it finished; list a task's instances with GET api/tasks/{{taskId}}/instances.",
        statusCode: StatusCodes.Status404NotFound, title: "Task instance not found");

    private static IResult NotFound(Guid taskId) => Results.Problem(
        $"There is no task {taskId}. It was never scheduled, or retention deleted it after it finished; list tasks with GET api/tasks.",
        statusCode: StatusCodes.Status404NotFound, title: "Task not found");
}
