using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Scheduler.AspNetCore;
using Scheduler.AspNetCore.Api;
using Scheduler.AspNetCore.Dashboard;
using Scheduler.AspNetCore.Security;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps Scheduler's admin API and dashboard into an ASP.NET Core application that runs a scheduler node.</summary>
public static class SchedulerAdminEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps, under <paramref name="prefix"/>: the dashboard at <c>{prefix}/</c>; the admin API at <c>{prefix}/api/…</c> (tasks, instances,
    /// dead letters, cluster view; pause, resume, update, trigger, cancel); its OpenAPI document at
    /// <c>{prefix}/openapi/scheduler-admin.json</c>. Every API call passes <see cref="SchedulerAdminOptions"/>' access rules (loopback, API
    /// key or the host's policies); every write is logged at Information with who made it. Every response forbids framing and sniffing and
    /// carries a content security policy that allows only the dashboard's own assets; API responses are not cached.
    /// </summary>
    /// <remarks>The application decides where it listens: keep the admin on a loopback address, or on one reachable only by operators, and
    /// give them API keys or authorization policies. Scheduler.Host serves it on <c>Admin:Urls</c>.</remarks>
    /// <param name="endpoints">The application's endpoints (e.g. the <c>WebApplication</c>).</param>
    /// <param name="prefix">The path everything is mapped under. <value>Default <c>/scheduler</c>.</value></param>
    /// <returns>The group of everything mapped, to add conventions to (e.g. <c>RequireHost</c>).</returns>
    /// <exception cref="InvalidOperationException"><c>AddSchedulerAdmin</c> was not called.</exception>
    public static RouteGroupBuilder MapSchedulerAdmin(this IEndpointRouteBuilder endpoints, string prefix = "/scheduler")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        if (endpoints.ServiceProvider.GetService<SchedulerAdminMarker>() is null)
        {
            throw new InvalidOperationException("MapSchedulerAdmin needs the admin's services. Call builder.Services.AddSchedulerAdmin() before building the app.");
        }

        var group = endpoints.MapGroup(prefix.TrimEnd('/'));
        DashboardAssets.Map(group.MapGroup("").AddEndpointFilter(new AdminResponseHeaders(api: false)));
        AdminApi.Map(group.MapGroup("/api").AddEndpointFilter(new AdminResponseHeaders(api: true))
            .WithGroupName(SchedulerAdminServiceCollectionExtensions.OpenApiDocumentName).WithTags("Scheduler admin"));
        endpoints.MapOpenApi(prefix.TrimEnd('/') + "/openapi/{documentName}.json")
            .AddEndpointFilter(new AdminResponseHeaders(api: true))
            .AddEndpointFilter(new AdminAccessFilter(AdminRole.Read));
        return group;
    }
}
