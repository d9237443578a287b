using System.CommandLine;
using System.Globalization;
using System.Net;
using Scheduler.Contracts;

namespace Scheduler.Cli.Admin;

/// <summary>
/// <c>scheduler tasks list|show|pause|resume|trigger|cancel</c> and <c>scheduler instances &lt;taskId&gt;</c>: a node's admin API from the
/// command line, as a table or, with <c>--json</c>, the API's JSON as it came.
/// </summary>
internal static class AdminCommands
{
    /// <summary>The admin address used when neither <c>--url</c> nor <c>SCHEDULER_ADMIN_URL</c> gives one.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8080/scheduler/";

    private static readonly string[] TaskStates = Enum.GetNames<TaskState>();
    private static readonly string[] InstanceStates = Enum.GetNames<TaskInstanceState>();

    public static IEnumerable<Command> Create(TextWriter output, TextWriter error)
    {
        var url = new Option<string>("--url")
        {
            Description = $"The node's admin (dashboard) address. Default: $SCHEDULER_ADMIN_URL, else {DefaultUrl}.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SCHEDULER_ADMIN_URL") is { Length: > 0 } env ? env : DefaultUrl,
            Recursive = true,
        };
        url.Validators.Add(r =>
        {
            if (!Uri.TryCreate(r.GetValueOrDefault<string>(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                r.AddError($"--url '{r.GetValueOrDefault<string>()}' is not an http(s) address. Give the node's dashboard address, e.g. {DefaultUrl}.");
            }
        });
        var apiKey = new Option<string?>("--api-key")
        {
            Description = "API key sent as X-Api-Key (needed off loopback; a Write key to change tasks). Default: $SCHEDULER_ADMIN_API_KEY.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SCHEDULER_ADMIN_API_KEY"),
            Recursive = true,
        };
        var json = new Option<bool>("--json") { Description = "Print the API's JSON instead of a table.", Recursive = true };
        var pageSize = new Option<int>("--page-size") { Description = "Most rows per page (1 to 1000).", DefaultValueFactory = _ => 100 };
        var pageToken = new Option<string?>("--page-token") { Description = "The page after the previous one (the token it printed)." };
        var taskId = new Argument<Guid>("taskId") { Description = "The task's id." };

        var state = new Option<string?>("--state") { Description = $"Only tasks in this state: {string.Join(", ", TaskStates)}." };
        state.AcceptOnlyFromAmong(TaskStates);
        var meta = new Option<string?>("--meta") { Description = "Only tasks whose metadata has this entry: key=value, or just key." };
        var list = new Command("list", "List tasks, oldest first, with their state and next fire time.") { state, meta, pageSize, pageToken };
        list.SetAction((result, ct) => CallAsync(result, url, apiKey, error, async client =>
        {
            var (key, value) = result.GetValue(meta) is { } m ? (m.Split('=', 2)[0], m.Contains('=', StringComparison.Ordinal) ? m.Split('=', 2)[1] : null) : (null, null);
            var query = Query(("state", result.GetValue(state)), ("metadataKey", key), ("metadataValue", value),
                ("pageSize", result.GetValue(pageSize).ToString(CultureInfo.InvariantCulture)), ("pageToken", result.GetValue(pageToken)));
            var (page, body) = await client.SendAsync<TaskList>(HttpMethod.Get, "tasks" + query, ct).ConfigureAwait(false);
            Print(result.GetValue(json), body, output, () => TextTable.Write(output,
                ["TASK", "STATE", "NEXT FIRE (UTC)", "TRIGGER", "ZONE", "METADATA"],
                page.Tasks.Select(t => new[] { t.TaskId.ToString(), t.State.ToString(), Time(t.NextFireTime), t.TriggerPhrase ?? t.Trigger, t.TimeZone, Metadata(t.Metadata) })));
            if (page.NextPageToken is { } next && !result.GetValue(json))
            {
                error.WriteLine($"More tasks: add --page-token {next}");
            }
        }));

        var show = new Command("show", "Show one task.") { taskId };
        show.SetAction((result, ct) => CallAsync(result, url, apiKey, error, async client =>
        {
            var (task, body) = await client.SendAsync<TaskInfo>(HttpMethod.Get, $"tasks/{result.GetValue(taskId)}", ct).ConfigureAwait(false);
            Print(result.GetValue(json), body, output, () => WriteTask(output, task));
        }));

        var tasks = new Command("tasks", "List, show, pause, resume, trigger and cancel tasks through a node's admin API.") { list, show };
        foreach (var (name, verb, description) in new[]
        {
            ("pause", "paused", "Pause a task: it fires nothing until resumed."),
            ("resume", "resumed", "Resume a paused task; missed fire times follow its misfire policy."),
            ("trigger", "triggered", "Run a task once now, as one extra instance."),
            ("cancel", "cancelled", "Cancel a task: it fires no more (final)."),
        })
        {
            var command = new Command(name, description) { taskId };
            command.SetAction((result, ct) => CallAsync(result, url, apiKey, error, async client =>
            {
                var (changed, body) = await client.SendAsync<TaskChanged>(HttpMethod.Post, $"tasks/{result.GetValue(taskId)}/{name}", ct).ConfigureAwait(false);
                Print(result.GetValue(json), body, output, () => output.WriteLine(changed.Changed
                    ? $"{verb} {changed.TaskId}{(changed.InstanceId is { } instance ? $": instance {instance}" : "")} (task {changed.Task.State})"
                    : $"nothing to change: task {changed.TaskId} is {changed.Task.State}"));
            }));
            tasks.Add(command);
        }

        var instanceState = new Option<string?>("--state") { Description = $"Only instances in this state: {string.Join(", ", InstanceStates)}." };
        instanceState.AcceptOnlyFromAmong(InstanceStates);
        var instances = new Command("instances", "List a task's instances, latest fire time first, with attempts, times and last error.")
        {
            taskId, instanceState, pageSize, pageToken, url, apiKey, json,
        };
        instances.SetAction((result, ct) => CallAsync(result, url, apiKey, error, async client =>
        {
            var query = Query(("state", result.GetValue(instanceState)), ("pageSize", result.GetValue(pageSize).ToString(CultureInfo.InvariantCulture)),
                ("pageToken", result.GetValue(pageToken)));
            var (page, body) = await client.SendAsync<TaskInstanceList>(HttpMethod.Get, $"tasks/{result.GetValue(taskId)}/instances{query}", ct).ConfigureAwait(false);
            Print(result.GetValue(json), body, output, () => TextTable.Write(output,
                ["INSTANCE", "FIRE TIME (UTC)", "STATE", "ATTEMPT", "DISPATCHED", "COMPLETED", "FAILED", "LAST ERROR"],
                page.Instances.Select(i => new[]
                {
                    i.InstanceId.ToString(), Time(i.FireTime), i.State.ToString(), $"{i.Attempt}/{i.MaxAttempts}", Time(i.DispatchedAt),
                    Time(i.CompletedAt), Time(i.FailedAt), i.LastError ?? "",
                })));
            if (page.NextPageToken is { } next && !result.GetValue(json))
            {
                error.WriteLine($"More instances: add --page-token {next}");
            }
        }));

        tasks.Add(url);
        tasks.Add(apiKey);
        tasks.Add(json);
        return [tasks, instances];
    }

    private static async Task<int> CallAsync(ParseResult result, Option<string> url, Option<string?> apiKey, TextWriter error, Func<AdminClient, Task> call)
    {
        var client = AdminClient.Create(new Uri(result.GetValue(url)!), result.GetValue(apiKey), TimeSpan.FromSeconds(30));
        try
        {
            await call(client).ConfigureAwait(false);
            return SchedulerCli.Success;
        }
        catch (AdminCallException ex)
        {
            error.WriteLine(ex.Message);
            return ex.Status switch
            {
                HttpStatusCode.BadRequest => SchedulerCli.InvalidInput,
                HttpStatusCode.NotFound => SchedulerCli.NotFound,
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => SchedulerCli.AccessDenied,
                _ => SchedulerCli.Unavailable,
            };
        }
    }

    private static void Print(bool json, string body, TextWriter output, Action table)
    {
        if (json)
        {
            output.WriteLine(body);
        }
        else
        {
            table();
        }
    }

    private static void WriteTask(TextWriter output, TaskInfo t)
    {
        TextTable.Write(output, ["FIELD", "VALUE"], new string[][]
        {
            ["task", t.TaskId.ToString()], ["state", t.State.ToString()], ["trigger", $"{t.Trigger} ({t.TriggerKind})"],
            ["phrase", t.TriggerPhrase ?? ""], ["time zone", t.TimeZone], ["next fire (UTC)", Time(t.NextFireTime)], ["start (UTC)", Time(t.StartAt)],
            ["metadata", Metadata(t.Metadata)], ["payload", t.Payload ?? ""], ["expire after", t.ExpireAfter.ToString()],
            ["retry", $"{t.Retry.MaxAttempts} attempts, backoff {t.Retry.InitialBackoff}"], ["misfire", t.Misfire.ToString()], ["overlap", t.Overlap.ToString()],
            ["jitter", t.Jitter?.ToString() ?? ""], ["end at (UTC)", Time(t.EndAt)],
            ["max occurrences", t.MaxOccurrences is { } max ? $"{max}{(t.LastFireTime is { } last ? $", the last at {Time(last)}" : "")}" : ""],
            ["destination", t.DestinationQueue ?? "(published)"], ["created (UTC)", Time(t.CreatedAt)], ["paused (UTC)", Time(t.PausedAt)],
            ["cancelled (UTC)", Time(t.CancelledAt)],
        }.Where(row => row[1].Length > 0));
    }

    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var given = parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToList();
        return given.Count == 0 ? "" : "?" + string.Join('&', given);
    }

    private static string Time(DateTimeOffset? instant) =>
        instant?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "";

    private static string Metadata(IReadOnlyDictionary<string, string> metadata) => string.Join(", ", metadata.Select(p => $"{p.Key}={p.Value}"));
}
