using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Scheduler.AspNetCore;
using Scheduler.AspNetCore.Security;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Scheduler's admin API and dashboard.</summary>
public static class SchedulerAdminServiceCollectionExtensions
{
    /// <summary>The name of the admin API's OpenAPI document, served at <c>{prefix}/openapi/scheduler-admin.json</c>.</summary>
    public const string OpenApiDocumentName = "scheduler-admin";

    /// <summary>
    /// Registers what <c>MapSchedulerAdmin</c> needs: <see cref="SchedulerAdminOptions"/> (validated at start) and the OpenAPI document
    /// <see cref="OpenApiDocumentName"/>. The service must run a scheduler node (<c>AddSchedulerNode</c>), whose <c>SchedulingService</c> the
    /// endpoints call.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Sets the options (keys, loopback trust, policies); they can also be bound with the returned builder, e.g.
    /// <c>.BindConfiguration("Admin")</c>.</param>
    /// <returns>The options builder.</returns>
    /// <exception cref="InvalidOperationException">Called twice.</exception>
    public static OptionsBuilder<SchedulerAdminOptions> AddSchedulerAdmin(this IServiceCollection services, Action<SchedulerAdminOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(SchedulerAdminMarker)))
        {
            throw new InvalidOperationException("The scheduler admin is registered already. Call AddSchedulerAdmin once, and pass all settings to that call.");
        }

        services.AddSingleton<SchedulerAdminMarker>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SchedulerAdminOptions>, SchedulerAdminOptionsValidator>());
        services.AddAuthorization(); // the access filter asks IAuthorizationService about ReadPolicy and WritePolicy
        services.AddOpenApi(OpenApiDocumentName, o =>
        {
            o.ShouldInclude = d => d.GroupName == OpenApiDocumentName;
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Scheduler admin API",
                    Version = "1",
                    Description = "Tasks, instances, dead letters and the cluster view of a Scheduler node; pause, resume, update, trigger and cancel. " +
                        "Off loopback, send an API key in the X-Api-Key header (role Read for GET, Write for POST and PATCH).",
                };
                return Task.CompletedTask;
            });
            // The endpoints write enums as their names (AdminJson), whatever the host's JSON options say.
            o.AddSchemaTransformer((schema, context, _) =>
            {
                var type = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) ?? context.JsonTypeInfo.Type;
                if (type.IsEnum)
                {
                    schema.Type = JsonSchemaType.String;
                    schema.Format = null;
                    schema.Enum = [.. Enum.GetNames(type).Select(n => (System.Text.Json.Nodes.JsonNode)n)];
                }

                return Task.CompletedTask;
            });
        });
        var options = services.AddOptions<SchedulerAdminOptions>().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return options;
    }
}
