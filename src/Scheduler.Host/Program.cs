using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Scheduler.Core;
using Scheduler.Core.Runtime;
using Scheduler.EntityFrameworkCore;
using Scheduler.Host;
using Scheduler.MassTransit;

// The Scheduler node. Configure it with appsettings.json or environment variables, e.g.
//   Transport__Kind=RabbitMq  Transport__RabbitMq__Uri=amqp://guest:guest@127.0.0.1:5672/
//   Store__Kind=Postgres      Store__ConnectionString="Host=127.0.0.1;Username=postgres;Password=postgres;Database=scheduler"
//   Scheduler__NodeId=node-1  Scheduler__ExecutionWindow=00:00:10
//   OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4317   (optional: metrics and traces over OTLP)
//   Health__Urls=http://127.0.0.1:8081                   (optional: GET /health/live and /health/ready)
// Scheduler.Host --probe http://127.0.0.1:8081/health/ready   probes a running node instead (exit 0 when ready): for container health checks.
if (HealthProbe.Requested(args, out var probeUrl))
{
    Environment.ExitCode = await HealthProbe.RunAsync(probeUrl);
    return;
}

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory, // appsettings.json next to the binary, whatever the working directory
});
var transport = Bind<TransportSettings>(builder.Configuration, "Transport");
var store = Bind<StoreSettings>(builder.Configuration, "Store");
if (transport.Kind == TransportKind.RabbitMq && (!transport.RabbitMq.Uri.IsAbsoluteUri || transport.RabbitMq.Uri.Scheme is not ("amqp" or "amqps" or "rabbitmq")))
{
    throw new InvalidOperationException(
        $"Transport:RabbitMq:Uri '{transport.RabbitMq.Uri}' is not a RabbitMQ address. Give one like amqp://guest:guest@127.0.0.1:5672/ (amqps:// for TLS).");
}

if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
{
    // The node's metrics (meter "Scheduler") and spans (source "Scheduler"), MassTransit's and Npgsql's, to the OTLP endpoint named by the
    // standard variable; nothing leaves the process without it. docs/running.md lists them.
    builder.Services.AddOpenTelemetry()
        .ConfigureResource(resource => resource.AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? "scheduler-node"))
        .WithMetrics(metrics => metrics.AddMeter(SchedulerMetrics.MeterName, "MassTransit").AddNpgsqlInstrumentation().AddOtlpExporter())
        .WithTracing(tracing => tracing.AddSource(SchedulerTracing.SourceName, "MassTransit").AddNpgsql().AddOtlpExporter());
}

if (builder.Configuration["Health:Urls"] is { Length: > 0 } healthUrls)
{
    builder.Services.AddHostedService(sp => ActivatorUtilities.CreateInstance<HealthEndpoint>(sp, healthUrls));
}

builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
builder.Services.AddOptions<MassTransitHostOptions>().Configure(o =>
{
    o.WaitUntilStarted = true;
    o.StopTimeout = TimeSpan.FromSeconds(30);
});
builder.Services.AddMassTransit(x =>
{
    x.SetKebabCaseEndpointNameFormatter();
    UseStore(x.AddSchedulerNode(), store);
    switch (transport.Kind)
    {
        case TransportKind.InMemory:
            x.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
            break;
        case TransportKind.RabbitMq:
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(transport.RabbitMq.Uri);
                cfg.PrefetchCount = transport.RabbitMq.PrefetchCount;
                cfg.ConfigureEndpoints(context);
            });
            break;
    }
});

using var host = builder.Build();
var options = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Scheduler.Core.Runtime.SchedulerOptions>>().Value;
var transportName = transport.Kind == TransportKind.RabbitMq ? $"RabbitMq {transport.RabbitMq.Uri.Host}:{transport.RabbitMq.Uri.Port}" : "InMemory";
var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Scheduler.Host");
HostLog.NodeConfigured(logger, options.NodeId, transportName,
    store.Kind, options.ExecutionWindow, options.PollInterval, options.LeaseDuration, Scheduler.Core.Triggers.TimeZones.TzdbVersion);
await host.RunAsync();

static T Bind<T>(IConfiguration configuration, string section)
    where T : new()
{
    try
    {
        return configuration.GetSection(section).Get<T>() ?? new T();
    }
    catch (InvalidOperationException ex)
    {
        throw new InvalidOperationException(
            $"The '{section}' configuration is invalid: {ex.InnerException?.Message ?? ex.Message} " +
            "Transport:Kind is InMemory or RabbitMq; Store:Kind is Sqlite, Postgres, CockroachDb or InMemory.", ex);
    }
}

static void UseStore(SchedulerBuilder node, StoreSettings store)
{
    void Configure(EfTaskStoreOptions o)
    {
        if (store.IsolationLevel is { } level)
        {
            o.IsolationLevel = level;
        }

        if (store.MaxConnections is { } connections)
        {
            o.MaxConnections = connections;
        }
    }

    var connectionString = store.ConnectionString;
    if (store.Kind is StoreKind.Postgres or StoreKind.CockroachDb && string.IsNullOrWhiteSpace(connectionString))
    {
        throw new InvalidOperationException(
            $"Store:Kind is {store.Kind} but Store:ConnectionString is empty. Set it, e.g. Store__ConnectionString=\"Host=127.0.0.1;Username=postgres;Password=postgres;Database=scheduler\".");
    }

    switch (store.Kind)
    {
        case StoreKind.Sqlite:
            node.UseSqlite(string.IsNullOrWhiteSpace(connectionString) ? "Data Source=scheduler.db" : connectionString, Configure);
            break;
        case StoreKind.Postgres:
            node.UsePostgres(connectionString!, Configure);
            break;
        case StoreKind.CockroachDb:
            node.UseCockroachDb(connectionString!, Configure);
            break;
        case StoreKind.InMemory:
            node.UseInMemoryStore();
            break;
    }
}
