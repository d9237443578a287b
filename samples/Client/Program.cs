using System.Globalization;
using System.CommandLine;
using Client;
using Scheduler.Contracts;

// Client: controls tasks on the scheduler nodes over RabbitMQ with the typed ISchedulerClient (AddSchedulerClient). See docs/running.md.
//   dotnet run --project samples/Client -- schedule "every 10 seconds" --tz Europe/Berlin --meta to=ada@example.com --queue reminders-worker
//   dotnet run --project samples/Client -- pause <taskId> | resume <taskId> | trigger <taskId> | cancel <taskId>
//   dotnet run --project samples/Client -- update <taskId> --trigger "every 30 seconds" --meta to=grace@example.com
//   dotnet run --project samples/Client -- list --state Active --meta to=ada@example.com | show <taskId> | instances <taskId>
// Exit codes: 0 done, 1 rejected / not found / no reply, 2 invalid usage (message on standard error).
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
var count = new Option<int>("--count")
{
    Description = "Schedule this many tasks (1 to 100000) with an ISO-8601 instant trigger: the i-th (from 0) fires at the instant plus i × --step.",
    DefaultValueFactory = _ => 1,
};
count.Validators.Add(r =>
{
    if (r.GetValueOrDefault<int>() is < 1 or > 100_000)
    {
        r.AddError($"--count {r.GetValueOrDefault<int>()} is out of range; give 1 to 100000.");
    }
});
var step = new Option<TimeSpan>("--step") { Description = "With --count: the time between the tasks' instants, e.g. 00:00:00.040. Default 0 (all at once)." };
var taskId = new Argument<Guid>("taskId") { Description = "The task id printed by 'schedule'." };

var schedule = new Command("schedule", "Create a task; prints its id and first fire time, or why it was rejected.")
{
    trigger, kind, zone, metadata, queue, broadcast, payload, attempts, key, count, step,
};
Dictionary<string, string>? Pairs(string[]? pairs) =>
    pairs is { Length: > 0 } ? pairs.Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal) : null;
Task<int> Run(ParseResult result, Func<ISchedulerClient, CancellationToken, Task<int>> action, CancellationToken cancellationToken) =>
    SchedulerClient.Run(new Uri(result.GetValue(rabbitMq)!), result.GetValue(cluster)!, result.GetValue(timeout), action, cancellationToken);

schedule.SetAction((result, cancellationToken) =>
{
    var command = new ScheduleTask
    {
        Trigger = result.GetValue(trigger)!,
        TriggerKind = Enum.Parse<TriggerKind>(result.GetValue(kind)!, ignoreCase: true),
        TimeZone = result.GetValue(zone),
        Metadata = Pairs(result.GetValue(metadata)),
        DestinationQueue = result.GetValue(queue),
        Broadcast = result.GetValue(broadcast),
        Payload = result.GetValue(payload),
        Retry = result.GetValue(attempts) is { } max ? new RetryPolicy { MaxAttempts = max } : null,
        IdempotencyKey = result.GetValue(key),
    };
    var many = result.GetValue(count);
    if (many == 1)
    {
        return Run(result, (client, token) => SchedulerClient.Schedule(client, command, token), cancellationToken);
    }

    if (!DateTimeOffset.TryParse(command.Trigger, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var first))
    {
        Console.Error.WriteLine($"--count {many} needs an ISO-8601 instant as the trigger (e.g. 2026-12-07T10:00:00Z), not '{command.Trigger}'.");
        return Task.FromResult(SchedulerClient.InvalidUsage);
    }

    return Run(result, (client, token) => SchedulerClient.ScheduleMany(client, command, first, many, result.GetValue(step), token), cancellationToken);
});

var cancel = new Command("cancel", "Stop a task from firing again.") { taskId };
cancel.SetAction((result, cancellationToken) => Run(result, (client, token) => SchedulerClient.Cancel(client, result.GetValue(taskId), token), cancellationToken));

var pause = new Command("pause", "Stop a task from firing until it is resumed.") { taskId };
pause.SetAction((result, cancellationToken) => Run(result, (client, token) =>
    SchedulerClient.Change("paused", client.PauseAsync(result.GetValue(taskId), token)), cancellationToken));

var resume = new Command("resume", "Let a paused task fire again; missed fire times follow its misfire policy.") { taskId };
resume.SetAction((result, cancellationToken) => Run(result, (client, token) =>
    SchedulerClient.Change("resumed", client.ResumeAsync(result.GetValue(taskId), token)), cancellationToken));

var triggerNow = new Command("trigger", "Run a task once now, beside its schedule.") { taskId };
triggerNow.SetAction((result, cancellationToken) => Run(result, (client, token) =>
    SchedulerClient.Change("triggered", client.TriggerNowAsync(result.GetValue(taskId), token)), cancellationToken));

var newTrigger = new Option<string?>("--trigger") { Description = "The new trigger (as for schedule). Default: unchanged." };
var newPayload = new Option<string?>("--payload") { Description = "The new payload. Default: unchanged." };
var update = new Command("update", "Change a task's trigger, zone, metadata or payload; the run in flight is left alone.") { taskId, newTrigger, zone, metadata, newPayload };
update.SetAction((result, cancellationToken) => Run(result, (client, token) => SchedulerClient.Change("updated", client.UpdateAsync(new UpdateTask
{
    TaskId = result.GetValue(taskId),
    Trigger = result.GetValue(newTrigger),
    TimeZone = result.GetValue(zone),
    Metadata = Pairs(result.GetValue(metadata)),
    Payload = result.GetValue(newPayload),
}, token)), cancellationToken));

var show = new Command("show", "Print a task as stored (JSON).") { taskId };
show.SetAction((result, cancellationToken) => Run(result, (client, token) => SchedulerClient.Show(client, result.GetValue(taskId), token), cancellationToken));

var state = new Option<TaskState?>("--state") { Description = "Only tasks in this state: Active, Paused, Cancelled or Finished." };
var filter = new Option<string?>("--meta") { Description = "Only tasks with this metadata entry: key=value, or key for any value." };
var page = new Option<string?>("--page") { Description = "The page token printed after the previous page." };
var list = new Command("list", "List tasks, oldest first, 100 per page.") { state, filter, page };
list.SetAction((result, cancellationToken) => Run(result, (client, token) =>
{
    var entry = result.GetValue(filter)?.Split('=', 2);
    return SchedulerClient.List(client, new ListTasks
    {
        State = result.GetValue(state),
        MetadataKey = entry?[0],
        MetadataValue = entry is { Length: 2 } ? entry[1] : null,
        PageToken = result.GetValue(page),
    }, token);
}, cancellationToken));

var instances = new Command("instances", "List a task's instances, latest first, with attempts, states and last errors.") { taskId, page };
instances.SetAction((result, cancellationToken) => Run(result, (client, token) =>
    SchedulerClient.Instances(client, new GetTaskInstances { TaskId = result.GetValue(taskId), PageToken = result.GetValue(page) }, token), cancellationToken));

var root = new RootCommand("Scheduler sample client: schedule and control tasks on the scheduler nodes over RabbitMQ.")
{
    schedule, cancel, pause, resume, triggerNow, update, show, list, instances, rabbitMq, cluster, timeout,
};
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine(error.Message);
    }

    Console.Error.WriteLine("Usage: schedule <trigger> [options] | pause|resume|trigger|cancel|show|instances <taskId> | update <taskId> [options] | list [options]; --help for details.");
    return SchedulerClient.InvalidUsage;
}

return await parsed.InvokeAsync();
