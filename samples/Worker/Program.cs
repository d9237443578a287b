using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Scheduler.MassTransit;
using Worker;

// Worker: a service that runs due tasks. It consumes TaskDue from one RabbitMQ queue and reports each attempt's outcome to the scheduler.
// Start several: instances on the same queue compete, each task instance goes to one of them. Configure with appsettings.json,
// environment variables or arguments, e.g.
//   Transport__RabbitMq__Uri=amqp://guest:guest@127.0.0.1:5672/  Worker__Queue=reminders-worker  Worker__OwnTasksOnly=true
//   Transport__RabbitMq__ClusterNodes__0=rabbit-1:5672 ... Transport__RabbitMq__QueueType=Quorum   (a RabbitMQ cluster, as the node's)
//   dotnet run --project samples/Worker -- --Worker:Name w1 --Worker:FailureRate 0.3 --Worker:HandlerDelay 00:00:02
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory, // appsettings.json next to the binary, whatever the working directory
});
Uri rabbitMq;
string[] clusterNodes;
bool quorumQueues;
WorkerSettings settings;
try
{
    rabbitMq = builder.Configuration.GetValue("Transport:RabbitMq:Uri", new Uri("amqp://guest:guest@127.0.0.1:5672/"))!;
    // A RabbitMQ cluster: its nodes, tried in order on every (re)connection, and the type of the worker's queue (the same keys as the node's).
    clusterNodes = builder.Configuration.GetSection("Transport:RabbitMq:ClusterNodes").Get<string[]>() ?? [];
    var queueType = builder.Configuration["Transport:RabbitMq:QueueType"] ?? "Classic";
    quorumQueues = queueType.Equals("Quorum", StringComparison.OrdinalIgnoreCase);
    if (!quorumQueues && !queueType.Equals("Classic", StringComparison.OrdinalIgnoreCase))
    {
        throw new InvalidOperationException($"Transport:RabbitMq:QueueType is '{queueType}'; give Classic or Quorum.");
    }

    settings = builder.Configuration.GetSection("Worker").Get<WorkerSettings>() ?? new WorkerSettings();
}
catch (InvalidOperationException ex)
{
    Console.Error.WriteLine($"The configuration is invalid: {ex.InnerException?.Message ?? ex.Message}");
    return 2;
}

if ((rabbitMq.IsAbsoluteUri ? settings.Validate() : $"Transport:RabbitMq:Uri '{rabbitMq}' is not an absolute URI, e.g. amqp://guest:guest@127.0.0.1:5672/.") is { } problem)
{
    Console.Error.WriteLine(problem);
    return 2;
}

builder.Services.AddSingleton(settings);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddMassTransit(x =>
{
    x.AddTaskConsumer<TaskDueConsumer>(settings.Queue, settings.OwnTasksOnly);
    x.AddTaskReporting();
    if (quorumQueues)
    {
        x.AddConfigureEndpointsCallback((_, _, endpoint) => (endpoint as IRabbitMqReceiveEndpointConfigurator)?.SetQuorumQueue());
    }

    x.UsingRabbitMq((context, cfg) =>
    {
        cfg.Host(rabbitMq, h =>
        {
            if (clusterNodes.Length > 0)
            {
                h.UseCluster(c => Array.ForEach(clusterNodes, c.Node));
            }
        });
        cfg.ConfigureEndpoints(context);
    });
});

using var host = builder.Build();
await host.StartAsync();
Console.WriteLine($"[{settings.Name}] consuming TaskDue from queue '{settings.Queue}' on " +
                  $"{(clusterNodes.Length > 0 ? "cluster " + string.Join(", ", clusterNodes) : $"{rabbitMq.Host}:{rabbitMq.Port}")} " +
                  $"({(settings.OwnTasksOnly ? "only tasks sent to this queue" : "tasks sent to this queue and every broadcast TaskDue")}; " +
                  $"failure rate {settings.FailureRate}, handler delay {settings.HandlerDelay.TotalMilliseconds} ms). Ctrl+C stops.");
await host.WaitForShutdownAsync();
return 0;
