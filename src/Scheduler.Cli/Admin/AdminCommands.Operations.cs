using System.CommandLine;
using System.Globalization;
using Scheduler.Contracts;

namespace Scheduler.Cli.Admin;

/// <summary><c>scheduler tasks create</c>, <c>scheduler instances list</c> (every task's, by filter) and <c>scheduler instances show</c> (issue #20).</summary>
internal static partial class AdminCommands
{
    private static void AddOperations(Command tasks, Command instances, TextWriter output, TextWriter error, Option<string> url, Option<string?> apiKey,
        Option<bool> json, Option<int> pageSize, Option<string?> pageToken)
    {
        tasks.Add(CreateTask(output, url, apiKey, json, error));

        var state = new Option<string?>("--state") { Description = $"Only instances in this state: {string.Join(", ", InstanceStates)}." };
        state.AcceptOnlyFromAmong(InstanceStates);
        var task = new Option<Guid?>("--task") { Description = "Only the instances of this task." };
        var queue = new Option<string?>("--queue") { Description = "Only instances of tasks sent to this destination queue." };
        var meta = new Option<string?>("--meta") { Description = "Only instances of tasks whose metadata has this entry: key=value, or just key." };
        var firedSince = new Option<DateTimeOffset?>("--fired-since") { Description = "Only instances whose fire time is at or after this instant (UTC, e.g. 2025-01-01T09:00:00Z)." };
        var firedUntil = new Option<DateTimeOffset?>("--fired-until") { Description = "Only instances whose fire time is before this instant." };
        var finishedSince = new Option<DateTimeOffset?>("--finished-since") { Description = "Only instances that finished at or after this instant." };
        var finishedUntil = new Option<DateTimeOffset?>("--finished-until") { Description = "Only instances that finished before this instant." };
        var list = new Command("list", "List the instances of every task, latest fire time first, by filter (all optional, every one given must match).")
        {
            state, task, queue, meta, firedSince, firedUntil, finishedSince, finishedUntil, pageSize, pageToken,
        };
        Core.Runtime.InstanceFilter Filter(ParseResult result)
        {
            var (key, value) = MetadataEntry(result.GetValue(meta));
            return new Core.Runtime.InstanceFilter
            {
                State = result.GetValue(state) is { } s ? Enum.Parse<TaskInstanceState>(s) : null, TaskId = result.GetValue(task),
                DestinationQueue = result.GetValue(queue), MetadataKey = key, MetadataValue = value, FiredSince = result.GetValue(firedSince),
                FiredUntil = result.GetValue(firedUntil), FinishedSince = result.GetValue(finishedSince), FinishedUntil = result.GetValue(finishedUntil),
            };
        }

        list.SetAction((result, ct) => CallAsync(result, url, apiKey, error, async client =>
        {
            var f = Filter(result);
            var query = Query(("state", f.State?.ToString()), ("taskId", f.TaskId?.ToString()), ("destinationQueue", f.DestinationQueue),
                ("metadataKey", f.MetadataKey), ("metadataValue", f.MetadataValue), ("firedSince", Instant(f.FiredSince)),
                ("firedUntil", Instant(f.FiredUntil)), ("finishedSince", Instant(f.FinishedSince)),
                ("finishedUntil", Instant(f.FinishedUntil)), ("pageSize", result.GetValue(pageSize).ToString(CultureInfo.InvariantCulture)),
                ("pageToken", result.GetValue(pageToken)));
            var (page, body) = await client.SendAsync<Core.Runtime.InstanceList>(HttpMethod.Get, "instances" + query, ct).ConfigureAwait(false);
            Print(result.GetValue(json), body, output, () => TextTable.Write(output,
                ["INSTANCE", "TASK", "FIRE TIME (UTC)", "STATE", "ATTEMPT", "FINISHED (UTC)", "LAST ERROR"],
                page.Instances.Select(e => new[]
                {
                    e.Instance.InstanceId.ToString(), e.TaskId.ToString(), Time(e.Instance.FireTime), e.Instance.State.ToString(),
                    $"{e.Instance.Attempt}/{e.Instance.MaxAttempts}", Time(e.Instance.CompletedAt ?? e.Instance.FailedAt), e.Instance.LastError ?? "",
                })));
            if (page.NextPageToken is { } next && !result.GetValue(json))
            {
                error.WriteLine($"More instances: add --page-token {next}");
            }
        }));
        instances.Add(list);

        var limit = new Option<int>("--limit") { Description = "The most matching instances acted on per call, latest fire time first (1 to 1000).", DefaultValueFactory = _ => 100 };
        var all = new Option<bool>("--all") { Description = "Go on, --limit per call, until no more match." };
        foreach (var (name, path, done, description) in new[]
        {
            ("delete-matching", "instances/delete", "deleted", "Delete the finished instances (Completed, Failed, Cancelled, Skipped) matching the filter; others are left alone."),
            ("retry-matching", "instances/retry", "due now", "Make due now the instances matching the filter that wait for their retry backoff (attempts kept); others are left alone."),
        })
        {
            var command = new Command(name, description) { state, task, queue, meta, firedSince, firedUntil, finishedSince, finishedUntil, limit, all };
            command.SetAction((result, ct) => CallAsync(result, url, apiKey, error, async client =>
            {
                var (affected, leftAlone) = (0, 0);
                string? token = null;
                do
                {
                    var (batch, body) = await client.SendAsync<Core.Runtime.InstanceBatch>(HttpMethod.Post, path, ct,
                        new { filter = Filter(result), limit = result.GetValue(limit), pageToken = token }).ConfigureAwait(false);
                    (affected, leftAlone, token) = (affected + batch.Affected.Count, leftAlone + batch.LeftAlone, batch.NextPageToken);
                    Print(result.GetValue(json), body, output, () =>
                    {
                        foreach (var id in batch.Affected)
                        {
                            output.WriteLine($"{done} {id}");
                        }
                    });
                }
                while (token is not null && result.GetValue(all));

                if (!result.GetValue(json))
                {
                    output.WriteLine($"{affected} {done}, {leftAlone} left alone" + (token is null ? "" : "; more match: add --all to go on"));
                }
            }));
            instances.Add(command);
        }
    }

    // scheduler tasks create: the ScheduleTask command, sent as POST tasks; a repeat of its --task-id or --idempotency-key creates nothing.
    private static Command CreateTask(TextWriter output, Option<string> url, Option<string?> apiKey, Option<bool> json, TextWriter error)
    {
        var trigger = new Option<string>("--trigger") { Description = "When the task fires: a cron expression, an RRULE, an instant or an English phrase (\"every weekday at 9am\").", Required = true };
        var kind = new Option<TriggerKind?>("--trigger-kind") { Description = "How --trigger is read (default: detected)." };
        var zone = new Option<string?>("--tz") { Description = "The IANA time zone the trigger is read in, e.g. Europe/Berlin (default UTC)." };
        var queue = new Option<string?>("--queue") { Description = "The destination queue each TaskDue is sent to (default: the node's Scheduler:DefaultDestinationQueue)." };
        var broadcast = new Option<bool>("--broadcast") { Description = "Publish each TaskDue to every subscriber instead of one queue." };
        var payload = new Option<string?>("--payload") { Description = "Text (e.g. JSON) copied into every TaskDue." };
        var meta = new Option<string[]>("--meta") { Description = "A metadata entry key=value copied into every TaskDue (repeatable)." };
        var attempts = new Option<int?>("--max-attempts") { Description = "Attempts in all, the first included (default 3)." };
        var expireAfter = new Option<TimeSpan?>("--expire-after") { Description = "How long one attempt may run without an outcome or heartbeat, e.g. 00:05:00 (default 5 minutes)." };
        var taskId = new Option<Guid?>("--task-id") { Description = "The new task's id; sending the same id again creates nothing." };
        var idempotencyKey = new Option<string?>("--idempotency-key") { Description = "A key that makes the create idempotent: a repeat with the same key creates nothing." };
        var create = new Command("create", "Create a task (as the ScheduleTask command): the node validates it as the bus command and answers with its id and next fire time.")
        {
            trigger, kind, zone, queue, broadcast, payload, meta, attempts, expireAfter, taskId, idempotencyKey,
        };
        create.Validators.Add(r =>
        {
            foreach (var entry in r.GetValue(meta) ?? [])
            {
                if (!entry.Contains('=', StringComparison.Ordinal) || entry.StartsWith('='))
                {
                    r.AddError($"--meta '{entry}' is not key=value. Give an entry such as --meta tenant=acme.");
                }
            }
        });
        create.SetAction((result, ct) => CallAsync(result, url, apiKey, error, async client =>
        {
            var metadata = result.GetValue(meta) is { Length: > 0 } entries
                ? entries.Select(e => e.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal)
                : null;
            var command = new ScheduleTask
            {
                Trigger = result.GetValue(trigger)!, TriggerKind = result.GetValue(kind) ?? TriggerKind.Detect, TimeZone = result.GetValue(zone),
                DestinationQueue = result.GetValue(queue), Broadcast = result.GetValue(broadcast), Payload = result.GetValue(payload), Metadata = metadata,
                Retry = result.GetValue(attempts) is { } max ? new RetryPolicy { MaxAttempts = max } : null, ExpireAfter = result.GetValue(expireAfter),
                TaskId = result.GetValue(taskId), IdempotencyKey = result.GetValue(idempotencyKey),
            };
            var (scheduled, body) = await client.SendAsync<TaskScheduled>(HttpMethod.Post, "tasks", ct, command).ConfigureAwait(false);
            Print(result.GetValue(json), body, output, () => output.WriteLine(scheduled.AlreadyScheduled
                ? $"scheduled already: task {scheduled.TaskId} (nothing created)"
                : $"created task {scheduled.TaskId}, next fire time {(scheduled.NextFireTime is { } next ? Time(next) : "none")}"));
        }));
        return create;
    }

    private static (string? Key, string? Value) MetadataEntry(string? entry) =>
        entry is null ? (null, null) : entry.Split('=', 2) is [var key, var value] ? (key, value) : (entry, null);

    private static string? Instant(DateTimeOffset? instant) => instant?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
}
