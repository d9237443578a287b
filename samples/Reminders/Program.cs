using System.Globalization;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Reminders;
using Scheduler.Contracts;
using Scheduler.EntityFrameworkCore;
using Scheduler.MassTransit;

// Reminders: a scheduler node, a worker and a client in one process, on MassTransit's in-memory transport and the embedded SQLite store.
// Usage: dotnet run --project samples/Reminders [-- --duration 30]
const string ReminderQueue = "reminders";
var duration = TimeSpan.FromSeconds(ReadDuration(args));
var database = Path.Combine(Path.GetTempPath(), "scheduler-reminders.db");
foreach (var file in new[] { database, database + "-wal", database + "-shm" })
{
    File.Delete(file); // a fresh file per run, so reminders of an earlier run do not fire again
}

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
// The sample prints handler failures itself; a real service keeps these logs.
builder.Logging.AddFilter("Scheduler.MassTransit.Worker", LogLevel.None);
builder.Logging.AddFilter("MassTransit.ReceiveTransport", LogLevel.None);
builder.Services.AddSingleton<Reminders.Console>();
builder.Services.AddMassTransit(x =>
{
    // The scheduler node: consumers of ScheduleTask/CancelTask, the task instance saga, the three loops.
    x.AddSchedulerNode(o => o.PollInterval = TimeSpan.FromMilliseconds(500)).UseSqlite($"Data Source={database}");

    // The worker: only the consumer is ours, on its own queue; AddTaskReporting publishes its outcomes (TaskReportBatch) for it.
    x.AddTaskConsumer<ReminderConsumer>(ReminderQueue);
    x.AddTaskReporting();

    // A listener for replies and outcomes, as any other service could have.
    x.AddConsumer<OutcomePrinter>();
    x.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
});

using var host = builder.Build();
var console = host.Services.GetRequiredService<Reminders.Console>();
var time = host.Services.GetRequiredService<TimeProvider>();
await host.StartAsync();
console.Line($"Reminders: scheduling over the bus, firing, completing through the saga; tasks in {database}. Runs {duration.TotalSeconds:F0} s (Ctrl+C stops).");

// The client side: schedule reminders by sending ScheduleTask to the nodes' queue, as any service on the bus would (the replies are
// published, since these are not requests). Each names the queue that runs it.
var bus = host.Services.GetRequiredService<IBus>();
var nodes = await bus.GetSendEndpoint(SchedulerEndpoints.Address(SchedulerEndpoints.Default.ScheduleTask));
var now = time.GetUtcNow();
await Schedule("stretch", new ScheduleTask
{
    Trigger = (now + TimeSpan.FromSeconds(3)).ToString("O", CultureInfo.InvariantCulture),
    Metadata = new Dictionary<string, string> { ["reminder"] = "stretch" },
    DestinationQueue = ReminderQueue,
});
await Schedule("water", new ScheduleTask
{
    Trigger = "*/5 * * * * *", // every 5 seconds (6-field cron)
    Metadata = new Dictionary<string, string> { ["reminder"] = "water" },
    DestinationQueue = ReminderQueue,
});
await Schedule("flaky", new ScheduleTask
{
    Trigger = (now + TimeSpan.FromSeconds(6)).ToString("O", CultureInfo.InvariantCulture),
    Metadata = new Dictionary<string, string> { ["reminder"] = "flaky", ["fail-first-attempt"] = "true" },
    Retry = new RetryPolicy { MaxAttempts = 3, InitialBackoff = TimeSpan.FromSeconds(1) },
    DestinationQueue = ReminderQueue,
});
await Schedule("typo", new ScheduleTask { Trigger = "*/5 * * *", DestinationQueue = ReminderQueue }); // rejected: 4 cron fields
await Schedule("nobody", new ScheduleTask { Trigger = "*/5 * * * * *" }); // rejected: no DestinationQueue and not Broadcast

var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
try
{
    await Task.Delay(duration, time, lifetime.ApplicationStopping);
}
catch (OperationCanceledException)
{
    // Ctrl+C
}

await host.StopAsync();
console.Line(console.EarlyFires == 0 ? "Done: no reminder fired early." : $"Done: {console.EarlyFires} reminders fired EARLY.");
return console.EarlyFires == 0 ? 0 : 1;

async Task Schedule(string name, ScheduleTask command)
{
    var taskId = Guid.NewGuid();
    console.Name(taskId, name);
    await nodes.Send(command with { TaskId = taskId });
}

static double ReadDuration(string[] args)
{
    var index = Array.IndexOf(args, "--duration");
    if (index < 0)
    {
        return 30;
    }

    if (index + 1 < args.Length && double.TryParse(args[index + 1], CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
    {
        return seconds;
    }

    System.Console.Error.WriteLine("--duration takes a number of seconds greater than 0, e.g. --duration 30");
    Environment.Exit(2);
    return 0;
}
