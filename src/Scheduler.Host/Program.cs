using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Scheduler.Core;
using Scheduler.Core.Runtime;
using Scheduler.EntityFrameworkCore;
using Scheduler.Host;
using Scheduler.MassTransit;
using Scheduler.MassTransit.Node;

// The Scheduler node. Configure it with appsettings.json or environment variables, e.g.
//   Transport__Kind=RabbitMq  Transport__RabbitMq__Uri=amqp://guest:guest@127.0.0.1:5672/
//   Transport__RabbitMq__ClusterNodes__0=rabbit-1:5672 ... Transport__RabbitMq__QueueType=Quorum   (optional: a RabbitMQ cluster)
//   Store__Kind=Postgres      Store__ConnectionString="Host=127.0.0.1;Username=postgres;Password=postgres;Database=scheduler"
//   Store__AutoMigrate=false                             (optional: do not migrate the schema at start; run 'scheduler db migrate')
//   Scheduler__NodeId=node-1  Scheduler__ExecutionWindow=00:00:10
//   OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4317   (optional: metrics and traces over OTLP)
//   Health__Urls=http://127.0.0.1:8081                   (optional: GET /health/live and /health/ready)
//   Host__StartTimeout=00:01:00                          (longest start; then exit 69 naming what did not answer)
//   Admin__Urls=http://127.0.0.1:8080                    (optional: admin API and dashboard at /scheduler/; keys in docs/running.md)
// Scheduler.Host --probe http://127.0.0.1:8081/health/ready   probes a running node instead (exit 0 when ready): for container health checks.
if (HealthProbe.Requested(args, out var probeUrl))
{
    return await HealthProbe.RunAsync(probeUrl);
}

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory, // appsettings.json next to the binary, whatever the working directory
});

// A failed start is reported by one line of ours (below), so the host's own "Hosting failed to start" error, with its stack trace, is
// dropped until the node has started.
var started = new TaskCompletionSource();
builder.Logging.AddFilter("Microsoft.Extensions.Hosting", level => level >= LogLevel.Information && (level < LogLevel.Error || started.Task.IsCompleted));
var verbose = builder.Configuration["Logging:LogLevel:Default"] is "Debug" or "Trace";
var stage = "reading the configuration";
var hostSettings = new HostSettings();
StoreSettings? store = null;
IHost? host = null;
using var startTimeout = new CancellationTokenSource();
try
{
    hostSettings = Bind<HostSettings>(builder.Configuration, HostSettings.SectionName);
    if (hostSettings.StartTimeout < TimeSpan.FromSeconds(1) || hostSettings.StartTimeout > TimeSpan.FromHours(1))
    {
        throw StartupFailure.Configuration(
            $"Host:StartTimeout is {hostSettings.StartTimeout}; it must be between 00:00:01 and 01:00:00. Set Host:StartTimeout (environment variable Host__StartTimeout), e.g. 00:01:00.");
    }

    startTimeout.CancelAfter(hostSettings.StartTimeout);
    var transport = Bind<TransportSettings>(builder.Configuration, "Transport");
    store = Bind<StoreSettings>(builder.Configuration, "Store");
    if (transport.Kind == TransportKind.RabbitMq)
    {
        StartupChecks.ValidateBroker(transport.RabbitMq);
    }

    if (store.Kind == StoreKind.Sqlite && string.IsNullOrWhiteSpace(store.ConnectionString))
    {
        store.ConnectionString = "Data Source=scheduler.db";
    }

    StartupChecks.ValidateStore(store);
    ConfigureServices(builder, transport, store);
    host = builder.Build();
    var options = host.Services.GetRequiredService<IOptions<SchedulerOptions>>().Value;
    var transportName = transport.Kind == TransportKind.RabbitMq ? StartupChecks.DescribeBroker(transport.RabbitMq) : "InMemory";
    var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Scheduler.Host");
    var storeName = StartupChecks.DescribeStore(store);
    HostLog.NodeConfigured(logger, options.NodeId, options.ClusterName, transportName, storeName, options.ExecutionWindow, options.PollInterval,
        options.LeaseDuration, Scheduler.Triggers.TimeZones.TzdbVersion);

    // Each service the configuration names answers, or the node stops here with one line: the bus would retry its connection forever.
    if (transport.Kind == TransportKind.RabbitMq)
    {
        stage = transportName;
        await StartupChecks.CheckBrokerAsync(transport.RabbitMq, startTimeout.Token);
    }

    if (store.Kind != StoreKind.InMemory)
    {
        stage = storeName;
        await StartupChecks.CheckStoreAsync(store, startTimeout.Token);
    }

    stage = $"starting the node (schema on {storeName}, bus on {transportName})";
    await host.StartAsync(startTimeout.Token).WaitAsync(startTimeout.Token);
}
catch (Exception ex) when (Classify(ex) is { } failure)
{
    await Console.Error.WriteLineAsync($"Scheduler node cannot start: {failure.Message}");
    if (verbose)
    {
        await Console.Error.WriteLineAsync(ex.ToString());
    }

    // The host is not disposed: a bus still connecting would hold the exit up.
    return failure.ExitCode;
}

started.SetResult();
await host.WaitForShutdownAsync();
host.Dispose();
return 0;

StartupFailure? Classify(Exception exception) => exception switch
{
    StartupFailure failure => failure,
    AggregateException { InnerExceptions.Count: 1 } aggregate => Classify(aggregate.InnerExceptions[0]),
    OperationCanceledException when startTimeout.IsCancellationRequested => StartupFailure.Unavailable(
        $"it did not start within Host:StartTimeout ({hostSettings.StartTimeout}): {stage} did not answer. Check that service, or raise Host:StartTimeout (environment variable Host__StartTimeout).",
        exception),
    // The configuration binder's own error: a value of the wrong type. Its message names the key and the value; a value that may hold a
    // password (a URI, a connection string) is left out.
    InvalidOperationException { InnerException: FormatException or ArgumentException or OverflowException } binding
        when binding.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) =>
        StartupFailure.Configuration($"{HideSecretValue(binding.Message)} Durations are written hh:mm:ss (e.g. 00:00:01), numbers in digits.", exception),
    OptionsValidationException invalid => StartupFailure.Configuration(string.Join(" ", invalid.Failures), exception),
    _ when store is not null && StartupChecks.StoreFailure(store, exception) is { } failure => failure,
    SchedulerException scheduler => StartupFailure.Configuration(scheduler.Message, exception),
    _ => null,
};

static string HideSecretValue(string message) =>
    message.Contains("Uri", StringComparison.OrdinalIgnoreCase) || message.Contains("ConnectionString", StringComparison.OrdinalIgnoreCase)
        || message.Contains("Password", StringComparison.OrdinalIgnoreCase)
        ? System.Text.RegularExpressions.Regex.Replace(message, "value '.*' at '", "value at '")
        : message;

static void ConfigureServices(HostApplicationBuilder builder, TransportSettings transport, StoreSettings store)
{
    if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
    {
        // The node's metrics (meter "BrokerScheduler") and spans (source "BrokerScheduler"), MassTransit's and Npgsql's, to the OTLP endpoint named by
        // the standard variable; nothing leaves the process without it. docs/running.md lists them.
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? "scheduler-node"))
            .WithMetrics(metrics => metrics.AddMeter(SchedulerMetrics.MeterName, "MassTransit").AddNpgsqlInstrumentation().AddOtlpExporter())
            .WithTracing(tracing => tracing.AddSource(SchedulerTracing.SourceName, "MassTransit").AddNpgsql().AddOtlpExporter());
    }

    if (builder.Configuration["Health:Urls"] is { Length: > 0 } healthUrls)
    {
        builder.Services.AddHostedService(sp => ActivatorUtilities.CreateInstance<HealthEndpoint>(sp, healthUrls));
    }

    if (builder.Configuration["Admin:Urls"] is { Length: > 0 } adminUrls)
    {
        builder.Services.AddHostedService(sp => ActivatorUtilities.CreateInstance<AdminEndpoint>(sp, adminUrls));
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
        if (transport.Kind == TransportKind.RabbitMq && transport.RabbitMq.QueueType == RabbitMqQueueType.Quorum)
        {
            // Every queue of the node's endpoints (commands, saga, message scheduler) is a quorum queue, and so is every queue it sends
            // TaskDue to (the workers of the cluster declare theirs so); the bus's own reply queue stays exclusive.
            x.AddConfigureEndpointsCallback((_, _, endpoint) => (endpoint as IRabbitMqReceiveEndpointConfigurator)?.SetQuorumQueue());
            x.AddSingleton<ITaskDispatcher>(sp => new MassTransitTaskDispatcher(sp.GetRequiredService<IBus>(), sp.GetRequiredService<TimeProvider>(), quorumQueues: true));
        }

        UseStore(x.AddSchedulerNode(), store);
        if (transport.Kind == TransportKind.RabbitMq)
        {
            // The cluster's queues on the broker are marked with the database they serve; a node of another database stops at start.
            x.AddSingleton<IClusterMarker>(new RabbitMqClusterMarker(transport.RabbitMq));
        }

        switch (transport.Kind)
        {
            case TransportKind.InMemory:
                x.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
                break;
            case TransportKind.RabbitMq:
                var rabbitMq = transport.RabbitMq;

                x.UsingRabbitMq((context, cfg) =>
                {
                    cfg.Host(rabbitMq.Uri, h =>
                    {
                        if (rabbitMq.ClusterNodes.Length > 0)
                        {
                            h.UseCluster(c => Array.ForEach(rabbitMq.ClusterNodes, c.Node));
                        }
                    });
                    cfg.PrefetchCount = rabbitMq.PrefetchCount;
                    cfg.ConfigureEndpoints(context);
                });
                break;
        }
    });
}

static T Bind<T>(IConfiguration configuration, string section)
    where T : new()
{
    try
    {
        return configuration.GetSection(section).Get<T>() ?? new T();
    }
    catch (InvalidOperationException ex)
    {
        throw StartupFailure.Configuration(
            $"The '{section}' configuration is invalid: {ex.Message} " +
            "Transport:Kind is InMemory or RabbitMq; Store:Kind is Sqlite, Postgres, CockroachDb or InMemory; durations are written hh:mm:ss.", ex);
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

        o.AutoMigrate = store.AutoMigrate;
    }

    var connectionString = store.ConnectionString;
    switch (store.Kind)
    {
        case StoreKind.Sqlite:
            node.UseSqlite(connectionString!, Configure);
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
