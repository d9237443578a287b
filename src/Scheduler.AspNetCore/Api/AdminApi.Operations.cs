using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Scheduler.AspNetCore.Security;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Runtime;

namespace Scheduler.AspNetCore.Api;

/// <summary>The operators' endpoints of issue #20: create a task, the instances across tasks by filter, and one instance by id.</summary>
internal static partial class AdminApi
{
    private const string CreateExample = "{\"trigger\": \"0 9 * * *\", \"timeZone\": \"Europe/Berlin\", \"destinationQueue\": \"reports\"}";

    private static void MapOperations(RouteGroupBuilder read, RouteGroupBuilder write)
    {
        read.MapGet("/instances", ListAllInstancesAsync).WithName("ListInstances")
            .WithSummary("A page of the instances of every task, latest fire time first, filtered (e.g. state=Dispatched: running now)")
            .WithDescription("Filters, all optional, every one given must match: state (Scheduled, Claimed, Dispatched, Completed, Failed, Cancelled, " +
                "Skipped); taskId; destinationQueue (exact); metadataKey with optional metadataValue; firedSince/firedUntil (fire time) and " +
                "finishedSince/finishedUntil (finish time), ISO 8601 instants, since inclusive, until exclusive. pageSize 1 to 1000 (default 100); " +
                "pageToken: the nextPageToken of the previous page with the same filters (keyset: no instance is repeated or skipped between pages).")
            .Produces<InstanceList>().ProducesProblem(400);
        read.MapGet("/instances/{instanceId:guid}", GetInstanceAsync).WithName("GetTaskInstance")
            .WithSummary("One task instance and its task's id, with its attempt history: each attempt's node, worker, times, duration, outcome and error")
            .Produces<TaskInstanceEntry>().ProducesProblem(400).ProducesProblem(404);
        write.MapPost("/instances/delete", (HttpContext http, SchedulingService scheduling, CancellationToken ct) =>
                ActOnMatchingAsync(http, "deleted", (filter, limit, token) => scheduling.DeleteInstancesAsync(filter, limit, token, ct), ct))
            .WithName("DeleteMatchingInstances")
            .WithSummary("Delete the finished instances (Completed, Failed, Cancelled, Skipped) among one page of the instances matching a filter, as DELETE instances/{id} does each")
            .WithDescription(BulkDescription).Accepts<InstanceBatchRequest>("application/json").Produces<InstanceBatch>().ProducesProblem(400);
        write.MapPost("/instances/retry", (HttpContext http, SchedulingService scheduling, CancellationToken ct) =>
                ActOnMatchingAsync(http, "retried now", (filter, limit, token) => scheduling.RetryInstancesNowAsync(filter, limit, token, ct), ct))
            .WithName("RetryMatchingInstancesNow")
            .WithSummary("Make due now the instances waiting for their retry backoff among one page of the Scheduled instances matching a filter, as POST instances/{id}/retry does each")
            .WithDescription(BulkDescription).Accepts<InstanceBatchRequest>("application/json").Produces<InstanceBatch>().ProducesProblem(400);
        write.MapPost("/tasks", CreateTaskAsync).WithName("ScheduleTask")
            .WithSummary("Create a task (as the ScheduleTask command; the body is that command): 201 with the task, or 200 when the same taskId or idempotencyKey was scheduled already with the same content")
            .WithDescription("Body e.g. " + CreateExample + ". trigger is required, and a destinationQueue or broadcast unless the node has a default " +
                "destination queue. An invalid command is refused (400) with a detail naming the field and the fix, and stores nothing.")
            .Accepts<ScheduleTask>("application/json").Produces<TaskScheduled>(StatusCodes.Status201Created).Produces<TaskScheduled>().ProducesProblem(400);
    }

    private static async Task<IResult> ListAllInstancesAsync(SchedulingService scheduling, string? state, string? taskId, string? destinationQueue,
        string? metadataKey, string? metadataValue, string? firedSince, string? firedUntil, string? finishedSince, string? finishedUntil,
        string? pageSize, string? pageToken, CancellationToken cancellationToken) =>
        Json(await scheduling.FindInstancesAsync(new InstanceFilter
        {
            State = AdminQuery.Enum<TaskInstanceState>(state, "state"),
            TaskId = AdminQuery.Id(taskId, "taskId"),
            DestinationQueue = destinationQueue,
            MetadataKey = metadataKey,
            MetadataValue = metadataValue,
            FiredSince = AdminQuery.Instant(firedSince, "firedSince"),
            FiredUntil = AdminQuery.Instant(firedUntil, "firedUntil"),
            FinishedSince = AdminQuery.Instant(finishedSince, "finishedSince"),
            FinishedUntil = AdminQuery.Instant(finishedUntil, "finishedUntil"),
        }, AdminQuery.Int(pageSize, "pageSize", 100), pageToken, cancellationToken).ConfigureAwait(false));

    private static async Task<IResult> GetInstanceAsync(SchedulingService scheduling, Guid instanceId, CancellationToken cancellationToken) =>
        await scheduling.GetInstanceAsync(instanceId, cancellationToken).ConfigureAwait(false) is { } entry ? Json(entry) : InstanceNotFound(instanceId);

    private const string BulkDescription = "Body: {\"filter\": {\"taskId\", \"state\", \"destinationQueue\", \"metadataKey\", \"metadataValue\", " +
        "\"firedSince\", \"firedUntil\", \"finishedSince\", \"finishedUntil\"}, \"limit\": 100, \"pageToken\": null}: the filter as GET instances " +
        "takes it (every field optional); limit 1 to 1000 (default 100) matching instances, latest fire time first, looked at per call. The reply " +
        "lists those changed, how many were left alone, and nextPageToken while more match: post it back with the same filter to go on.";

    // An action over one page of the instances matching the body's filter, logged with who asked, the filter and what came of it.
    private static async Task<IResult> ActOnMatchingAsync(HttpContext http, string done, Func<InstanceFilter, int, string?, Task<InstanceBatch>> act,
        CancellationToken cancellationToken)
    {
        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(AdminLog.Category);
        var caller = AdminAccessFilter.Caller(http);
        InstanceBatchRequest? request = null;
        try
        {
            try
            {
                request = await JsonSerializer.DeserializeAsync<InstanceBatchRequest>(http.Request.Body, AdminJson.Options, cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException ex)
            {
                throw new TaskValidationException($"The body is not a valid filter: {ex.Message} Send JSON such as {{\"filter\": {{\"state\": \"Completed\", \"finishedUntil\": \"2026-01-01T00:00:00Z\"}}, \"limit\": 100}}.");
            }

            request ??= new InstanceBatchRequest();
            var filter = request.Filter ?? new InstanceFilter();
            var batch = await act(filter, request.Limit, request.PageToken).ConfigureAwait(false);
            var more = batch.NextPageToken is not null;
            AdminLog.ActedOnMatching(logger, caller, done, batch.Affected.Count, filter, batch.LeftAlone, more, batch.Affected);
            return Json(batch);
        }
        catch (TaskValidationException ex)
        {
            AdminLog.ActOnMatchingRefused(logger, caller, done, ex.Message);
            throw;
        }
    }

    /// <summary>The body of POST instances/delete and instances/retry.</summary>
    internal sealed record InstanceBatchRequest
    {
        public InstanceFilter? Filter { get; init; }

        public int Limit { get; init; } = 100;

        public string? PageToken { get; init; }
    }

    // The body is a ScheduleTask, validated by SchedulingService.ScheduleAsync as the bus command is; logged with who sent it and what came of it.
    private static async Task<IResult> CreateTaskAsync(HttpContext http, SchedulingService scheduling, CancellationToken cancellationToken)
    {
        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(AdminLog.Category);
        var caller = AdminAccessFilter.Caller(http);
        try
        {
            ScheduleTask? command;
            try
            {
                command = await JsonSerializer.DeserializeAsync<ScheduleTask>(http.Request.Body, AdminJson.Options, cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException ex)
            {
                throw new TaskValidationException($"The body is not a valid task: {ex.Message} Send JSON such as {CreateExample}.");
            }

            var scheduled = await scheduling.ScheduleAsync(command ?? throw new TaskValidationException(
                $"The body is null. Send the task to create, e.g. {CreateExample}."), cancellationToken).ConfigureAwait(false);
            AdminLog.Write(logger, caller, "create", scheduled.TaskId, scheduled.AlreadyScheduled
                ? "scheduled already with the same content, nothing stored"
                : $"done, next fire time {scheduled.NextFireTime?.ToString("O", CultureInfo.InvariantCulture) ?? "none"}");
            if (scheduled.AlreadyScheduled)
            {
                return Json(scheduled);
            }

            http.Response.Headers.Location = $"{http.Request.PathBase}{http.Request.Path}/{scheduled.TaskId}";
            return Results.Json(scheduled, AdminJson.Options, statusCode: StatusCodes.Status201Created);
        }
        catch (TaskValidationException ex)
        {
            AdminLog.CreateRefused(logger, caller, ex.Message);
            throw;
        }
    }
}
