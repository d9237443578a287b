using System.CommandLine;
using Client;
using Scheduler.Contracts;

// Client: sends ScheduleTask / CancelTask to the scheduler nodes over RabbitMQ and prints their replies. See docs/running.md.
//   dotnet run --project samples/Client -- schedule "every 10 seconds" --tz Europe/Berlin --meta to=ada@example.com --queue reminders-worker
//   dotnet run --project samples/Client -- cancel <taskId>
// Exit codes: 0 scheduled / cancelled, 1 rejected / not found / no reply, 2 invalid usage (message on standard error).
var rabbitMq = new Option<string>("--rabbitmq")
{
    Description = "The broker's URI. Default: Transport__RabbitMq__Uri, else amqp://guest:guest@127.0.0.1:5672/.",
    DefaultValueFactory = _ => Environment.GetEnvironmentVariable("Transport__RabbitMq__Uri") ?? "amqp://guest:guest@127.0.0.1:5672/",
    Recursive = true,
};
rabbitMq.Validators.Add(r =>
{
    var text = r.GetValueOrDefault<string>();
    if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps" or "rabbitmq"))
    {
        r.AddError($"--rabbitmq '{text}' is not an AMQP URI, e.g. amqp://guest:guest@127.0.0.1:5672/.");
    }
});
var cluster = new Option<string>("--cluster")
{
    Description = "The nodes' cluster name (their Scheduler:ClusterName), whose queues get the commands. Default: Scheduler__ClusterName, else scheduler.",
    DefaultValueFactory = _ => Environment.GetEnvironmentVariable("Scheduler__ClusterName") ?? SchedulerEndpoints.DefaultClusterName,
    Recursive = true,
};
cluster.Validators.Add(r =>
{
    if (!System.Text.RegularExpressions.Regex.IsMatch(r.GetValueOrDefault<string>() ?? "", SchedulerEndpoints.ClusterNamePattern))
    {
        r.AddError($"--cluster '{r.GetValueOrDefault<string>()}' is not a cluster name: lower-case letters, digits and '-', starting with a letter, e.g. billing.");
    }
});
var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for a node's reply (1 to 300).", DefaultValueFactory = _ => 10, Recursive = true };
timeout.Validators.Add(r =>
{
    if (r.GetValueOrDefault<int>() is < 1 or > 300)
    {
        r.AddError("--timeout must be between 1 and 300 seconds.");
    }
});

var trigger = new Argument<string>("trigger") { Description = "When the task fires: an ISO-8601 instant, a cron expression, an RRULE or an English phrase (docs/triggers.md)." };
var kind = new Option<string>("--kind") { Description = "How to read the trigger: detect, once, cron, rrule or text.", DefaultValueFactory = _ => "detect" };
kind.AcceptOnlyFromAmong("detect", "once", "cron", "rrule", "text");
var zone = new Option<string?>("--tz") { Description = "IANA time zone the trigger is evaluated in, e.g. Europe/Berlin. Default: UTC." };
var metadata = new Option<string[]>("--meta") { Description = "A metadata pair key=value copied into every TaskDue; repeat for more.", Arity = ArgumentArity.ZeroOrMore };
metadata.Validators.Add(r =>
{
    var keys = new HashSet<string>(StringComparer.Ordinal);
    foreach (var pair in r.GetValueOrDefault<string[]>() ?? [])
    {
        var equals = pair.IndexOf('=', StringComparison.Ordinal);
        if (equals < 1)
        {
            r.AddError($"--meta '{pair}' is not key=value, e.g. --meta to=ada@example.com.");
        }
        else if (!keys.Add(pair[..equals]))
        {
            r.AddError($"--meta '{pair[..equals]}' is given twice; give each key once.");
        }
    }
});
var queue = new Option<string?>("--queue") { Description = "The queue TaskDue is sent to (a worker's Worker:Queue). Give this or --broadcast, unless the node has Scheduler:DefaultDestinationQueue." };
var broadcast = new Option<bool>("--broadcast") { Description = "Publish TaskDue to every service that subscribes to it (workers with Worker:OwnTasksOnly false) instead of one queue." };
var payload = new Option<string?>("--payload") { Description = "Opaque text copied into every TaskDue." };
var attempts = new Option<int?>("--max-attempts") { Description = "Dispatches of one task instance, the first included (1 to 100). Default 3." };
var key = new Option<string?>("--idempotency-key") { Description = "Makes the command idempotent: a repeat with the same key creates nothing." };
var taskId = new Argument<Guid>("taskId") { Description = "The task id printed by 'schedule'." };

var schedule = new Command("schedule", "Create a task; prints its id and first fire time, or why it was rejected.")
{
    trigger, kind, zone, metadata, queue, broadcast, payload, attempts, key,
};
schedule.SetAction((result, cancellationToken) => SchedulerClient.Run(new Uri(result.GetValue(rabbitMq)!), new SchedulerEndpoints(result.GetValue(cluster)!), result.GetValue(timeout), (client, token) => client.Schedule(new ScheduleTask
{
    Trigger = result.GetValue(trigger)!,
    TriggerKind = Enum.Parse<TriggerKind>(result.GetValue(kind)!, ignoreCase: true),
    TimeZone = result.GetValue(zone),
    Metadata = (result.GetValue(metadata) ?? []).Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal),
    DestinationQueue = result.GetValue(queue),
    Broadcast = result.GetValue(broadcast),
    Payload = result.GetValue(payload),
    Retry = result.GetValue(attempts) is { } max ? new RetryPolicy { MaxAttempts = max } : null,
    IdempotencyKey = result.GetValue(key),
}, token), cancellationToken));

var cancel = new Command("cancel", "Stop a task from firing again.") { taskId };
cancel.SetAction((result, cancellationToken) =>
    SchedulerClient.Run(new Uri(result.GetValue(rabbitMq)!), new SchedulerEndpoints(result.GetValue(cluster)!), result.GetValue(timeout), (client, token) => client.Cancel(result.GetValue(taskId), token), cancellationToken));

var root = new RootCommand("Scheduler sample client: schedule and cancel tasks on the scheduler nodes over RabbitMQ.") { schedule, cancel, rabbitMq, cluster, timeout };
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine(error.Message);
    }

    Console.Error.WriteLine("Usage: schedule <trigger> [options] | cancel <taskId>; --help for details.");
    return SchedulerClient.InvalidUsage;
}

return await parsed.InvokeAsync();
