using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Scheduler.Core;
using Scheduler.EntityFrameworkCore;
using Scheduler.Host;
using Scheduler.MassTransit;

// The Scheduler node. Configure it with appsettings.json or environment variables, e.g.
//   Transport__Kind=RabbitMq  Transport__RabbitMq__Uri=amqp://guest:guest@127.0.0.1:5672/
//   Store__Kind=Postgres      Store__ConnectionString="Host=127.0.0.1;Username=postgres;Password=postgres;Database=scheduler"
//   Scheduler__NodeId=node-1  Scheduler__ExecutionWindow=00:00:10
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory, // appsettings.json next to the binary, whatever the working directory
});
var transport = Bind<TransportSettings>(builder.Configuration, "Transport");
var store = Bind<StoreSettings>(builder.Configuration, "Store");
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
