using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Scheduler.Core.Runtime;

namespace Scheduler.AspNetCore.Api;

/// <summary>One task instance with its attempt history: <c>GET api/instances/{instanceId}</c>.</summary>
internal static partial class AdminApi
{
    private static void MapInstance(RouteGroupBuilder read) =>
        read.MapGet("/instances/{instanceId:guid}", GetInstanceAsync).WithName("GetTaskInstance")
            .WithSummary("One task instance and its task's id, with its attempt history: each attempt's node, worker, times, duration, outcome and error")
            .Produces<TaskInstanceEntry>().ProducesProblem(400).ProducesProblem(404);

    private static async Task<IResult> GetInstanceAsync(SchedulingService scheduling, Guid instanceId, CancellationToken cancellationToken) =>
        await scheduling.GetInstanceAsync(instanceId, cancellationToken).ConfigureAwait(false) is { } entry ? Json(entry) : InstanceNotFound(instanceId);
}
