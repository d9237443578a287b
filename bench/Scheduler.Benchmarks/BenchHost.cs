using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Scheduler.Benchmarks;

/// <summary>Builds and starts one service of a system (a scheduler node, a worker, a client...), each an <see cref="IHost"/> with its own bus.</summary>
internal static class BenchHost
{
    /// <summary>Builds the host with warnings and errors logged through <paramref name="log"/>, MassTransit's usage telemetry off, and starts it
    /// (returning once its bus is connected and its queues bound).</summary>
    public static async Task<IHost> StartAsync(string name, WarningLog log, Action<IServiceCollection> configure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddLogging(logging => logging.AddProvider(log.For(name))
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Error));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.Services.Configure<MassTransitHostOptions>(o =>
        {
            o.WaitUntilStarted = true;
            o.StartTimeout = TimeSpan.FromSeconds(60);
        });
        configure(builder.Services);
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return host;
    }

    /// <summary>The settings every benchmark bus shares: usage telemetry off, this broker, endpoints from the registrations.</summary>
    public static void UseBenchBus(this IBusRegistrationConfigurator x, BrokerTarget broker)
    {
        ArgumentNullException.ThrowIfNull(x);
        x.ConfigureUsageTelemetryOptions(o => o.Enabled = false);
        if (broker.QuorumQueues)
        {
            x.AddConfigureEndpointsCallback((_, _, endpoint) => (endpoint as IRabbitMqReceiveEndpointConfigurator)?.SetQuorumQueue());
        }

        x.UsingRabbitMq((context, cfg) =>
        {
            broker.Configure(cfg);
            cfg.ConfigureEndpoints(context);
        });
    }

    public static async Task StopAsync(IHost? host)
    {
        if (host is null)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await host.StopAsync(timeout.Token);
        }
        finally
        {
            if (host is IAsyncDisposable d)
            {
                await d.DisposeAsync();
            }
            else
            {
                host.Dispose();
            }
        }
    }
}
