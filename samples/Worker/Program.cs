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
//   dotnet run --project samples/Worker -- --Worker:Name w1 --Worker:FailureRate 0.3 --Worker:HandlerDelay 00:00:02
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory, // appsettings.json next to the binary, whatever the working directory
});
Uri rabbitMq;
WorkerSettings settings;
try
{
    rabbitMq = builder.Configuration.GetValue("Transport:RabbitMq:Uri", new Uri("amqp://guest:guest@127.0.0.1:5672/"))!;
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
    x.UsingRabbitMq((context, cfg) =>
    {
        cfg.Host(rabbitMq);
        cfg.ConfigureEndpoints(context);
    });
});

using var host = builder.Build();
await host.StartAsync();
Console.WriteLine($"[{settings.Name}] consuming TaskDue from queue '{settings.Queue}' on {rabbitMq.Host}:{rabbitMq.Port} " +
                  $"({(settings.OwnTasksOnly ? "only tasks sent to this queue" : "tasks sent to this queue and every broadcast TaskDue")}; " +
                  $"failure rate {settings.FailureRate}, handler delay {settings.HandlerDelay.TotalMilliseconds} ms). Ctrl+C stops.");
await host.WaitForShutdownAsync();
return 0;
