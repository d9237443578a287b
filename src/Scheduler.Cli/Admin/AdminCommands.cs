using System.CommandLine;
using System.Globalization;
using System.Net;
using Scheduler.Contracts;

namespace Scheduler.Cli.Admin;

/// <summary>
/// <c>scheduler tasks list|show|create|pause|resume|trigger|cancel|delete</c>, <c>scheduler instances &lt;taskId&gt;|list|show|delete|retry|delete-matching|retry-matching</c>, <c>scheduler dead-letters
/// list|requeue</c> and <c>scheduler calendars …</c>: a node's admin API from the command line, as a table or, with <c>--json</c>, the API's
/// JSON as it came.
/// </summary>
internal static partial class AdminCommands
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
            Description = "API key sent as X-Api-Key (needed off loopback; a Write key to change tasks, on loopback too unless the node sets Admin:LoopbackRole to Write). Default: $SCHEDULER_ADMIN_API_KEY.",
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
        var recurring = new Option<bool>("--recurring")
        {
            Description = "Only recurring tasks (cron, RRULE, phrase), with the trigger explained, the next fire time and the last outcome.",
        };
        var list = new Command("list", "List tasks, oldest first, with their state and next fire time.") { state, meta, pageSize, pageToken, recurring };
        list.SetAction((result, ct) => CallAsync(result, url, apiKey, error, async client =>
        {
            var (key, value) = MetadataEntry(result.GetValue(meta));
            var query = Query(("state", result.GetValue(state)), ("metadataKey", key), ("metadataValue", value),
                ("pageSize", result.GetValue(pageSize).ToString(CultureInfo.InvariantCulture)), ("pageToken", result.GetValue(pageToken)));
            if (result.GetValue(recurring))
            {
                await ListRecurringAsync(client, query, result.GetValue(json), output, error, ct).ConfigureAwait(false);
                return;
            }

            var (page, body) = await client.SendAsync<TaskList>(HttpMethod.Get, "tasks" + query, ct).ConfigureAwait(false);
            Print(result.GetValue(json), body, output, () => TextTable.Write(output,
                ["TASK", "STATE", "NEXT FIRE (UTC)", "TRIGGER", "ZONE", "METADATA"],
                page.Tasks.Select(t => new[] { t.TaskId.ToString(), t.State.ToString(), Time(t.NextFireTime), t.TriggerPhrase ?? t.Trigger, t.TimeZone, Metadata(t.Metadata) })));
            if (page.NextPageToken is { } next && !result.GetValue(json))
            {
                error.WriteLine($"More tasks: add --page-token {next}");
            }
        }));

        var upcoming = new Option<int>("--upcoming") { Description = "How many upcoming fire times to show (0 to 50).", DefaultValueFactory = _ => 5 };
        var show = new Command("show", "Show one task, with its next fire times that will fire.") { taskId, upcoming };
        show.SetAction((result, ct) => CallAsync(result, url, apiKey, error, async client =>
        {
            var query = Query(("upcoming", result.GetValue(upcoming).ToString(CultureInfo.InvariantCulture)));
            var (task, body) = await client.SendAsync<TaskInfo>(HttpMethod.Get, $"tasks/{result.GetValue(taskId)}{query}", ct).ConfigureAwait(false);
            Print(result.GetValue(json), body, output, () => WriteTask(output, task));
        }));

        var tasks = new Command("tasks", "List, show, pause, resume, trigger, cancel and delete tasks through a node's admin API.") { list, show };
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

        var delete = new Command("delete", "Delete a task and all its instances; refused while one is Claimed or Dispatched (cancel the task first and wait until they finish).")
        {
            taskId,
        };
        delete.SetAction((result, ct) => CallAsync(result, url, apiKey, error, async client =>
        {
            var (deleted, body) = await client.SendAsync<TaskDeleted>(HttpMethod.Delete, $"tasks/{result.GetValue(taskId)}", ct).ConfigureAwait(false);
            Print(result.GetValue(json), body, output, () => output.WriteLine($"deleted {deleted.TaskId} with {deleted.InstancesDeleted} instances"));
        }));
        tasks.Add(delete);

        var instanceState = new Option<string?>("--state") { Description = $"Only instances in this state: {string.Join(", ", InstanceStates)}." };
        instanceState.AcceptOnlyFromAmong(InstanceStates);
        var instances = new Command("instances", "List a task's instances, latest fire time first, with attempts, times and last error; delete a finished one, or retry one now.")
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

        var instanceId = new Argument<Guid>("instanceId") { Description = "The task instance's id, as 'scheduler instances <taskId>' lists it." };
        var deleteInstance = new Command("delete", "Delete a finished instance (Completed, Failed, Cancelled or Skipped).") { instanceId };
        deleteInstance.SetAction((result, ct) => CallAsync(result, url, apiKey, error, async client =>
        {
            var (deleted, body) = await client.SendAsync<TaskInstanceDeleted>(HttpMethod.Delete, $"instances/{result.GetValue(instanceId)}", ct)
                .ConfigureAwait(false);
            Print(result.GetValue(json), body, output, () => output.WriteLine($"deleted instance {deleted.InstanceId} of task {deleted.TaskId}"));
        }));
        var retryInstance = new Command("retry", "Make an instance waiting for its retry backoff due now; its attempt count and budget are kept (a dead letter is requeued instead).")
        {
            instanceId,
        };
        retryInstance.SetAction((result, ct) => CallAsync(result, url, apiKey, error, async client =>
        {
            var (retried, body) = await client.SendAsync<TaskInstanceRetried>(HttpMethod.Post, $"instances/{result.GetValue(instanceId)}/retry", ct)
                .ConfigureAwait(false);
            Print(result.GetValue(json), body, output, () => output.WriteLine(retried.Changed
                ? $"instance {retried.InstanceId} due now (attempt {retried.Instance!.Attempt} of {retried.Instance.MaxAttempts} done)"
                : $"nothing to change: instance {retried.InstanceId} is due already"));
        }));
        instances.Add(deleteInstance);
        instances.Add(retryInstance);
        AddOperations(tasks, instances, output, error, url, apiKey, json, pageSize, pageToken);
        instances.Add(ShowInstance(output, error, url, apiKey, json, instanceId));

        tasks.Add(url);
        tasks.Add(apiKey);
        tasks.Add(json);
        return [tasks, instances, DeadLetters(output, error, url, apiKey, json, pageSize, pageToken), Calendars(output, error, url, apiKey, json),
            Destinations(output, error, url, apiKey, json)];
    }

    // scheduler dead-letters list|requeue: the admin API's dead letters (Failed instances of every task) and their requeue.
    private static Command DeadLetters(TextWriter output, TextWriter error, Option<string> url, Option<string?> apiKey, Option<bool> json,
        Option<int> pageSize, Option<string?> pageToken)
    {
        var list = new Command("list", "List dead letters, newest failure first, with their task, attempts and last error.") { pageSize, pageToken };
        list.SetAction((result, ct) => CallAsync(result, url, apiKey, error, async client =>
        {
            var query = Query(("pageSize", result.GetValue(pageSize).ToString(CultureInfo.InvariantCulture)), ("pageToken", result.GetValue(pageToken)));
            var (page, body) = await client.SendAsync<Core.Runtime.DeadLetterList>(HttpMethod.Get, "dead-letters" + query, ct).ConfigureAwait(false);
            Print(result.GetValue(json), body, output, () => TextTable.Write(output,
                ["INSTANCE", "TASK", "FIRE TIME (UTC)", "ATTEMPT", "FAILED (UTC)", "LAST ERROR"],
                page.DeadLetters.Select(d => new[]
                {
                    d.Instance.InstanceId.ToString(), d.TaskId.ToString(), Time(d.Instance.FireTime), $"{d.Instance.Attempt}/{d.Instance.MaxAttempts}",
                    Time(d.Instance.FailedAt), d.Instance.LastError ?? "",
                })));
            if (page.NextPageToken is { } next && !result.GetValue(json))
            {
                error.WriteLine($"More dead letters: add --page-token {next}");
            }
        }));

        var instanceIds = new Argument<Guid[]>("instanceId")
        {
            Description = "The dead letters to requeue (1 to 1000 instance ids, as list shows them); or leave out and give a filter.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var task = new Option<Guid?>("--task") { Description = "Requeue by filter: only dead letters of this task." };
        var since = new Option<DateTimeOffset?>("--since") { Description = "Requeue by filter: only those dead-lettered at or after this instant (UTC, e.g. 2025-01-01T09:00:00Z)." };
        var until = new Option<DateTimeOffset?>("--until") { Description = "Requeue by filter: only those dead-lettered before this instant (UTC)." };
        var queue = new Option<string?>("--queue") { Description = "Requeue by filter: only dead letters of tasks sent to this destination queue." };
        var limit = new Option<int>("--limit") { Description = "Requeue by filter: at most this many per call, oldest first (1 to 1000).", DefaultValueFactory = _ => 100 };
        var all = new Option<bool>("--all") { Description = "Requeue by filter until none match (every dead letter when no filter is given), --limit per call." };
        var requeue = new Command("requeue",
            "Requeue dead letters, by id or by a filter (--task, --since, --until, --queue; --all to repeat until none match): each is due now, with a " +
            "fresh attempt budget (its retry policy's attempts again). Instances that are not dead letters are left alone.")
        {
            instanceIds, task, since, until, queue, limit, all,
        };
        requeue.Validators.Add(r =>
        {
            var byFilter = r.GetValue(all) || r.GetValue(task) is not null || r.GetValue(since) is not null || r.GetValue(until) is not null
                || r.GetValue(queue) is not null || r.GetResult(limit) is { Implicit: false };
            var byId = r.GetValue(instanceIds) is { Length: > 0 };
            if (byId == byFilter)
            {
                r.AddError(byId
                    ? "Give instance ids or a filter (--task, --since, --until, --queue, --limit, --all), not both."
                    : "Give the instance ids to requeue (as 'scheduler dead-letters list' shows them), or a filter: --task, --since, --until, --queue, or --all for every dead letter.");
            }
        });
        requeue.SetAction((result, ct) => CallAsync(result, url, apiKey, error, async client =>
        {
            var asked = result.GetValue(instanceIds) ?? [];
            if (asked.Length == 0)
            {
                await RequeueMatchingAsync(client, new DeadLetterFilter
                {
                    TaskId = result.GetValue(task), Since = result.GetValue(since), Until = result.GetValue(until), DestinationQueue = result.GetValue(queue),
                    Limit = result.GetValue(limit),
                }, result.GetValue(all), result.GetValue(json), output, ct).ConfigureAwait(false);
                return;
            }

            var (requeued, body) = await client.SendAsync<DeadLettersRequeued>(HttpMethod.Post, "dead-letters/requeue", ct,
                new RequeueDeadLetters { InstanceIds = asked }).ConfigureAwait(false);
            Print(result.GetValue(json), body, output, () =>
            {
                foreach (var id in requeued.Requeued)
                {
                    output.WriteLine($"requeued {id}");
                }

                foreach (var id in asked.Except(requeued.Requeued))
                {
                    output.WriteLine($"not a dead letter, left alone: {id}");
                }
            });
        }));

        var deadLetters = new Command("dead-letters", "List and requeue dead letters (instances whose last allowed attempt failed), through a node's admin API.")
        {
            list, requeue,
        };
        deadLetters.Add(url);
        deadLetters.Add(apiKey);
        deadLetters.Add(json);
        return deadLetters;
    }

    // scheduler calendars list|show|set|delete: the admin API's calendars (docs/triggers.md, "Calendars").
    private static Command Calendars(TextWriter output, TextWriter error, Option<string> url, Option<string?> apiKey, Option<bool> json)
    {
        var name = new Argument<string>("name") { Description = "The calendar's name (lower-case letters, digits, '_' and '-')." };
        var list = new Command("list", "List the calendars.");
        list.SetAction((result, ct) => CallAsync(result, url, apiKey, error, async client =>
        {
            var (page, body) = await client.SendAsync<CalendarList>(HttpMethod.Get, "calendars", ct).ConfigureAwait(false);
            Print(result.GetValue(json), body, output, () => TextTable.Write(output, ["CALENDAR", "VERSION", "ZONE", "EXCLUDES", "DESCRIPTION"],
                page.Calendars.Select(c => new[] { c.Name, c.Version.ToString(CultureInfo.InvariantCulture), c.TimeZone ?? "(each task's)", Excludes(c), c.Description ?? "" })));
        }));

        var show = new Command("show", "Show one calendar.") { name };
        show.SetAction((result, ct) => CallAsync(result, url, apiKey, error, async client =>
        {
            var (calendar, body) = await client.SendAsync<CalendarInfo>(HttpMethod.Get, $"calendars/{Uri.EscapeDataString(result.GetValue(name)!)}", ct).ConfigureAwait(false);
            Print(result.GetValue(json), body, output, () => TextTable.Write(output, ["FIELD", "VALUE"], new string[][]
            {
                ["calendar", calendar.Name], ["description", calendar.Description ?? ""], ["time zone", calendar.TimeZone ?? "(each task's)"],
                ["dates", string.Join(", ", calendar.Dates)], ["cron", string.Join(", ", calendar.Cron)], ["rrules", string.Join(", ", calendar.RRules)],
                ["icalendar", calendar.ICalendar is { } ics ? $"{ics.Length} characters" : ""], ["version", calendar.Version.ToString(CultureInfo.InvariantCulture)],
                ["changed (UTC)", Time(calendar.ChangedAt)],
            }.Where(row => row[1].Length > 0)));
        }));

        var dates = new Option<string[]>("--date") { Description = "A day to exclude, 2025-12-25, or a range, 2025-12-24..2026-01-01 (repeatable).", AllowMultipleArgumentsPerToken = false };
        var cron = new Option<string[]>("--cron") { Description = "A cron expression of times to exclude, e.g. \"* 0-7,18-23 * * *\" (repeatable)." };
        var rrule = new Option<string[]>("--rrule") { Description = "An RRULE whose days to exclude, e.g. FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25 (repeatable)." };
        var ics = new Option<FileInfo?>("--ics") { Description = "An iCalendar file (.ics) whose events to exclude." };
        var zone = new Option<string?>("--tz") { Description = "The zone the calendar's dates and times are read in. Default: each task's own." };
        var description = new Option<string?>("--description") { Description = "What the calendar is for." };
        var set = new Command("set", "Create or replace a calendar; the tasks that name it are planned again with it.")
        {
            name, dates, cron, rrule, ics, zone, description,
        };
        set.SetAction((result, ct) => CallAsync(result, url, apiKey, error, async client =>
        {
            string? icalendar = null;
            if (result.GetValue(ics) is { } file)
            {
                try
                {
                    icalendar = await File.ReadAllTextAsync(file.FullName, ct).ConfigureAwait(false);
                }
                catch (IOException ex)
                {
                    throw new AdminCallException(HttpStatusCode.BadRequest, $"--ics '{file.FullName}' cannot be read: {ex.Message}");
                }
            }

            var calendarName = result.GetValue(name)!;
            var command = new SetCalendar
            {
                Name = calendarName, Description = result.GetValue(description), TimeZone = result.GetValue(zone), Dates = result.GetValue(dates),
                Cron = result.GetValue(cron), RRules = result.GetValue(rrule), ICalendar = icalendar,
            };
            var (changed, body) = await client.SendAsync<CalendarChanged>(HttpMethod.Put, $"calendars/{Uri.EscapeDataString(calendarName)}", ct, command)
                .ConfigureAwait(false);
            Print(result.GetValue(json), body, output, () => output.WriteLine(changed.Changed
                ? $"set calendar {changed.Calendar.Name} (version {changed.Calendar.Version}); {changed.TasksReplanned} tasks planned again"
                : $"nothing to change: calendar {changed.Calendar.Name} is so already"));
        }));

        var delete = new Command("delete", "Delete a calendar that no task names.") { name };
        delete.SetAction((result, ct) => CallAsync(result, url, apiKey, error, async client =>
        {
            var (deleted, body) = await client.SendAsync<CalendarDeleted>(HttpMethod.Delete, $"calendars/{Uri.EscapeDataString(result.GetValue(name)!)}", ct)
                .ConfigureAwait(false);
            Print(result.GetValue(json), body, output, () => output.WriteLine(deleted.Found ? $"deleted calendar {deleted.Name}" : $"no calendar {deleted.Name}"));
        }));

        var calendars = new Command("calendars", "List, show, set and delete the calendars tasks name (excluded dates and times), through a node's admin API.")
        {
            list, show, set, delete,
        };
        calendars.Add(url);
        calendars.Add(apiKey);
        calendars.Add(json);
        return calendars;
    }

    private static string Excludes(CalendarInfo calendar)
    {
        var parts = new List<string>();
        if (calendar.Dates.Count > 0)
        {
            parts.Add($"{calendar.Dates.Count} dates");
        }

        if (calendar.Cron.Count > 0)
        {
            parts.Add($"{calendar.Cron.Count} cron");
        }

        if (calendar.RRules.Count > 0)
        {
            parts.Add($"{calendar.RRules.Count} rrules");
        }

        if (calendar.ICalendar is not null)
        {
            parts.Add("icalendar");
        }

        return string.Join(", ", parts);
    }

    // A bulk requeue: one call, or with --all calls until none match; prints each call's count (with --json its reply), then the total.
    private static async Task RequeueMatchingAsync(AdminClient client, DeadLetterFilter filter, bool all, bool json, TextWriter output, CancellationToken ct)
    {
        var total = 0;
        while (true)
        {
            var (requeued, body) = await client.SendAsync<DeadLettersRequeued>(HttpMethod.Post, "dead-letters/requeue", ct,
                new RequeueDeadLetters { Filter = filter }).ConfigureAwait(false);
            total += requeued.Requeued.Count;
            Print(json, body, output, () => output.WriteLine($"requeued {requeued.Requeued.Count} dead letters" +
                (requeued.More && !all ? "; more match: run again, or add --all" : "")));
            if (!all || !requeued.More || requeued.Requeued.Count == 0)
            {
                break;
            }
        }

        if (all && !json)
        {
            output.WriteLine($"requeued {total} dead letters in all");
        }
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
            ["jitter", t.Jitter?.ToString() ?? ""], ["calendar", t.Calendar ?? ""], ["end at (UTC)", Time(t.EndAt)],
            ["max occurrences", t.MaxOccurrences is { } max ? $"{max}{(t.LastFireTime is { } last ? $", the last at {Time(last)}" : "")}" : ""],
            ["destination", t.DestinationQueue ?? "(published)"], ["created (UTC)", Time(t.CreatedAt)], ["paused (UTC)", Time(t.PausedAt)],
            ["cancelled (UTC)", Time(t.CancelledAt)],
        }.Concat((t.UpcomingFireTimes ?? []).Select((fire, i) => new[] { i == 0 ? "upcoming (UTC)" : "", Time(fire) })).Where(row => row[1].Length > 0));
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
