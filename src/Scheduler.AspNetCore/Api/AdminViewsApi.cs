using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Scheduler.Contracts;
using Scheduler.Core.Runtime;

namespace Scheduler.AspNetCore.Api;

/// <summary>The admin API's operator views over many tasks (the recurring tasks view), read under the read access filter of
/// <see cref="AdminApi"/>; bad query parameters become 400 through its filter.</summary>
internal static class AdminViewsApi
{
    public static void Map(RouteGroupBuilder read)
    {
        read.MapGet("/tasks/recurring", ListRecurringAsync).WithName("ListRecurringTasks")
            .WithSummary("A page of the recurring tasks (cron, RRULE, phrase), oldest first, with the trigger explained, the next fire time and the last outcome")
            .WithDescription("Filters as GET tasks: state (Active, Paused, Cancelled, Finished), metadataKey with optional metadataValue; pageSize 1 to 1000 " +
                "(default 100); pageToken: the nextPageToken of the previous page (keyset: no task is repeated or skipped between pages). nextFireTime is " +
                "the next occurrence that will fire, as GET tasks/{taskId} gives it; lastOutcome the occurrence that finished last (Completed, Failed or Skipped).")
            .Produces<RecurringTaskList>().ProducesProblem(400);
    }

    private static async Task<IResult> ListRecurringAsync(SchedulingService scheduling, string? state, string? metadataKey, string? metadataValue,
        string? pageSize, string? pageToken, CancellationToken cancellationToken) =>
        Results.Json(await scheduling.ListRecurringAsync(AdminQuery.Enum<TaskState>(state, "state"), metadataKey, metadataValue,
            AdminQuery.Int(pageSize, "pageSize", 100), pageToken, cancellationToken).ConfigureAwait(false), AdminJson.Options);
}
