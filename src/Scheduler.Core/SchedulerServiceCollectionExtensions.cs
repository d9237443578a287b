using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scheduler.Core.Runtime;
using Scheduler.Core.Storage;

namespace Scheduler.Core;

/// <summary>Registers a scheduler node's core services.</summary>
public static class SchedulerServiceCollectionExtensions
{
    /// <summary>
    /// Registers the scheduler, runner and cleanup loops, <see cref="SchedulingService"/>, the readiness health checks tagged <c>ready</c>
    /// (<see cref="SchedulerHealthCheck"/>, <see cref="LoopsHealthCheck"/>, <see cref="StoreHealthCheck"/>), the node's metrics
    /// (<see cref="SchedulerMetrics"/>, on the host's <see cref="System.Diagnostics.Metrics.IMeterFactory"/>), the options (validated at start) and
    /// <see cref="TimeProvider.System"/> unless a <see cref="TimeProvider"/> is registered already. Choose a store on the returned builder;
    /// without one the node fails at start. An <see cref="ITaskDispatcher"/> must be registered (the MassTransit integration does).
    /// </summary>
    /// <remarks>Applications on MassTransit call <c>AddSchedulerNode</c> inside <c>AddMassTransit</c>, which calls this.</remarks>
    /// <exception cref="InvalidOperationException">Called twice on the same collection.</exception>
    public static SchedulerBuilder AddSchedulerCore(this IServiceCollection services, Action<SchedulerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(SchedulingService)))
        {
            throw new InvalidOperationException(
                "The scheduler node is registered already. Call AddSchedulerNode (or AddSchedulerCore) once, and pass all settings to that call.");
        }

        // Bind the "Scheduler" section when the app has configuration (a plain ServiceCollection may not), then apply the callback.
        services.AddSingleton<IConfigureOptions<SchedulerOptions>>(sp => new ConfigureOptions<SchedulerOptions>(
            options => sp.GetService<IConfiguration>()?.GetSection(SchedulerOptions.SectionName).Bind(options)));
        services.AddOptions<SchedulerOptions>().ValidateOnStart();
        services.AddSingleton<IValidateOptions<SchedulerOptions>, SchedulerOptionsValidator>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics(); // IMeterFactory, unless the host registered it already
        services.AddSingleton<SchedulerMetrics>();
        services.AddSingleton<LoopSignals>();
        services.AddSingleton<TriggerCache>();
        // Every scheduling decision uses the host's clock corrected to the database's (SchedulerClock), measured before the loops start.
        services.AddSingleton(sp => new SchedulerClock(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new SchedulingService(sp.GetRequiredService<IDefinitionStore>(), sp.GetRequiredService<IAdminStore>(),
            sp.GetRequiredService<LoopSignals>(), sp.GetRequiredService<IOptions<SchedulerOptions>>(), sp.GetRequiredService<SchedulerClock>(),
            sp.GetRequiredService<SchedulerMetrics>(), sp.GetRequiredService<ILogger<SchedulingService>>()));
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<SchedulerLoop>(sp, sp.GetRequiredService<SchedulerClock>()));
        services.AddSingleton<DestinationWatch>();
        services.AddHostedService(sp => sp.GetRequiredService<DestinationWatch>());
        services.AddSingleton(sp =>
        {
            var runner = ActivatorUtilities.CreateInstance<RunnerLoop>(sp, sp.GetRequiredService<SchedulerClock>());
            runner.Destinations = sp.GetRequiredService<DestinationWatch>();
            runner.Node = sp.GetRequiredService<NodeRun>();
            return runner;
        });
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<CleanupLoop>(sp, sp.GetRequiredService<SchedulerClock>()));
        // Joins the cluster while the host is starting, before any hosted service (the bus included) starts: a node of the wrong database
        // stops here, having consumed nothing.
        services.AddSingleton<ClusterMembership>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterMembership>());
        services.AddSingleton<ClockAlignmentLoop>();
        services.AddHostedService(sp => sp.GetRequiredService<ClockAlignmentLoop>());
        // This process's run of its node id, after the clock is aligned and before the loops: takes back the claims of the node id's earlier
        // run, or refuses to start while another live process runs under it.
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<NodeRun>(sp, sp.GetRequiredService<SchedulerClock>()));
        services.AddHostedService(sp => sp.GetRequiredService<NodeRun>());
        services.AddHostedService(sp => sp.GetRequiredService<SchedulerLoop>());
        services.AddHostedService(sp => sp.GetRequiredService<RunnerLoop>());
        services.AddHostedService(sp => sp.GetRequiredService<CleanupLoop>());
        services.AddHealthChecks()
            .AddCheck<SchedulerHealthCheck>(SchedulerHealthCheck.Name, tags: [SchedulerHealthCheck.ReadyTag])
            .AddCheck<LoopsHealthCheck>(LoopsHealthCheck.Name, tags: [SchedulerHealthCheck.ReadyTag])
            .AddCheck<StoreHealthCheck>(StoreHealthCheck.Name, tags: [SchedulerHealthCheck.ReadyTag], timeout: StoreHealthCheck.Timeout);
        services.TryAddSingleton<ITaskStore>(_ => throw new InvalidOperationException(
            "No task store is configured. Call UseInMemoryStore(), UseSqlite(...) or UsePostgres(...) on the builder AddSchedulerNode returns."));
        // Each caller depends on the port it uses; every port is the one store (a store is replaced by registering another ITaskStore).
        services.TryAddSingleton<IDefinitionStore>(sp => sp.GetRequiredService<ITaskStore>());
        services.TryAddSingleton<IMaterializerStore>(sp => sp.GetRequiredService<ITaskStore>());
        services.TryAddSingleton<IRunnerStore>(sp => sp.GetRequiredService<ITaskStore>());
        services.TryAddSingleton<IOutcomeStore>(sp => sp.GetRequiredService<ITaskStore>());
        services.TryAddSingleton<IInstanceReader>(sp => sp.GetRequiredService<ITaskStore>());
        services.TryAddSingleton<INodeStore>(sp => sp.GetRequiredService<ITaskStore>());
        services.TryAddSingleton<IAdminStore>(sp => sp.GetRequiredService<ITaskStore>());
        services.TryAddSingleton<ICleanupStore>(sp => sp.GetRequiredService<ITaskStore>());
        return new SchedulerBuilder(services);
    }
}
