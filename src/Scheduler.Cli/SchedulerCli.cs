using System.CommandLine;
using System.CommandLine.Help;
using System.Globalization;
using NodaTime;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Triggers;

namespace Scheduler.Cli;

/// <summary>The <c>scheduler</c> command: <c>next</c> prints fire times, <c>explain</c> describes a trigger (docs/triggers.md); <c>tasks</c> and
/// <c>instances</c> call a node's admin API (docs/running.md); <c>db</c> migrates the store's schema (docs/storage.md).</summary>
public static class SchedulerCli
{
    /// <summary>Exit code for success.</summary>
    public const int Success = 0;

    /// <summary>Exit code for invalid input (bad arguments, an unreadable trigger, an unknown zone, a value the admin API refused with 400, a
    /// database schema newer than the tool); the message is on standard error.</summary>
    public const int InvalidInput = 2;

    /// <summary>Exit code when the admin API knows no such task (404).</summary>
    public const int NotFound = 3;

    /// <summary>Exit code when the admin API refused the credentials (401: none or an unknown key; 403: a read key that tried to write).</summary>
    public const int AccessDenied = 4;

    /// <summary>Exit code when the admin API could not be reached or failed (no answer, 5xx), or the database of <c>db</c> failed.</summary>
    public const int Unavailable = 5;

    /// <summary>Exit code of <c>db status</c> when the database's schema is behind this tool's (scripts pending: run <c>db migrate</c>).</summary>
    public const int SchemaBehind = 6;

    private static readonly string[] Kinds = ["once", "cron", "cron6", "rrule", "text"];

    /// <summary>Runs the command line <paramref name="args"/>, writing results to <paramref name="output"/> and errors to <paramref name="error"/>.</summary>
    /// <param name="args">The arguments, e.g. <c>next "every weekday at 9am" --tz Europe/Berlin --count 3</c>. An argument that starts with
    /// <c>@</c> is a trigger (<c>@daily</c>), never a response file.</param>
    /// <param name="output">Standard output: one fire time per line (ISO-8601 with the zone's offset), or the explanation.</param>
    /// <param name="error">Standard error: what was wrong with the input.</param>
    /// <param name="clock">The clock that gives the default <c>--from</c> (now).</param>
    /// <returns><see cref="Success"/>, or <see cref="InvalidInput"/> when the input is invalid.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter error, TimeProvider clock) =>
        RunAsync(args, output, error, clock).GetAwaiter().GetResult();

    /// <summary>Runs the command line <paramref name="args"/> as <see cref="Run"/> does; the admin commands (<c>tasks</c>, <c>instances</c>) call
    /// the admin API asynchronously.</summary>
    /// <returns><see cref="Success"/>, <see cref="InvalidInput"/>, <see cref="NotFound"/>, <see cref="AccessDenied"/> or <see cref="Unavailable"/>.</returns>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TimeProvider clock, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(clock);

        var trigger = new Argument<string>("trigger") { Description = "The trigger: an ISO-8601 instant, a cron expression, an RRULE or an English phrase (see docs/triggers.md)." };
        var kind = new Option<string?>("--kind") { Description = "How to read the trigger: once, cron (5 fields), cron6 (6 fields, with seconds), rrule or text. Default: detected." };
        kind.AcceptOnlyFromAmong(Kinds);
        var zone = new Option<string>("--tz") { Description = "IANA time zone id the trigger is evaluated in, e.g. Europe/Berlin.", DefaultValueFactory = _ => "UTC" };
        var from = new Option<string?>("--from") { Description = "ISO-8601 instant after which to list fire times; also the anchor of relative phrases and 'every other'. Default: now." };
        var count = new Option<int>("--count") { Description = "How many fire times to print (1 to 10000).", DefaultValueFactory = _ => 5 };
        count.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 10_000)
            {
                r.AddError("--count must be between 1 and 10000.");
            }
        });

        var explainTimes = new Option<bool>("--explain") { Description = "Print the trigger's English description first, and each fire time's weekday and wall-clock time beside it." };
        var next = new Command("next", "Print the next fire times of a trigger, strictly after --from, one per line.") { trigger, kind, zone, from, count, explainTimes };
        next.SetAction(result => Invoke(result, trigger, kind, zone, from, clock, error, built =>
        {
            var printed = 0;
            var cursor = built.From;
            var explained = result.GetValue(explainTimes);
            var trigger = built.Parsed.Trigger;
            var end = TaskEnd.Of(trigger, built.From, built.Parsed.EndAt, built.Parsed.MaxOccurrences); // a phrase's "until …", "for …", "N times"
            if (explained)
            {
                output.WriteLine($"# {trigger.Describe()} ({trigger.TimeZone.Id})");
                foreach (var reading in built.Parsed.Readings)
                {
                    output.WriteLine($"# reading: {reading}");
                }

                if (built.Parsed.Calendar is { } calendar)
                {
                    output.WriteLine($"# calendar: {calendar} (not applied here: a node skips the times it excludes)");
                }
            }

            while (printed < result.GetValue(count) && trigger.GetNextFireTime(cursor) is { } fire && end.Allows(fire))
            {
                output.WriteLine(explained ? $"{Format(fire, trigger.TimeZone)}  {Spoken(fire, trigger.TimeZone)}" : Format(fire, trigger.TimeZone));
                cursor = fire;
                printed++;
            }

            if (printed == 0)
            {
                error.WriteLine($"The trigger never fires after {Format(built.From, trigger.TimeZone)}.");
            }
        }));

        var explain = new Command("explain", "Describe a trigger and print its normalized form (cron, RRULE or instant).") { trigger, kind, zone, from };
        explain.SetAction(result => Invoke(result, trigger, kind, zone, from, clock, error, built => Explain(built.Parsed, built.From, output)));

        // A plain command named "scheduler" rather than RootCommand, whose name is the assembly's (Scheduler.Cli) in help and errors.
        var version = new Option<bool>("--version") { Description = "Print the tool's version and the version of the tz database it uses." };
        var root = new Command("scheduler",
            "Scheduler's tool: list fire times and explain triggers (ISO-8601 instant, cron, RRULE or English phrase); list and control tasks through a node's admin API.")
        {
            next, explain, new HelpOption(), version,
        };
        foreach (var admin in Admin.AdminCommands.Create(output, error))
        {
            root.Add(admin);
        }

        root.Add(Database.DatabaseCommands.Create(output, error, clock));

        root.SetAction(result =>
        {
            if (result.GetValue(version))
            {
                output.WriteLine($"scheduler {ToolVersion}");
                output.WriteLine($"tz database {TimeZones.TzdbVersion} (embedded in NodaTime {typeof(DateTimeZone).Assembly.GetName().Version?.ToString(3)})");
                return Success;
            }

            WriteUsage(error);
            return InvalidInput;
        });

        // Response files are off: an argument such as "@daily" is a trigger (a cron macro), not a file to read arguments from.
        var parsed = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parsed.Errors.Count > 0)
        {
            foreach (var parseError in parsed.Errors)
            {
                error.WriteLine(parseError.Message);
            }

            WriteUsage(error);
            return InvalidInput;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The tool's version (the assembly's informational version, without the source revision).</summary>
    public static string ToolVersion =>
        (typeof(SchedulerCli).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "0.0.0").Split('+')[0];

    private static void WriteUsage(TextWriter error)
    {
        error.WriteLine("Usage: scheduler next \"<trigger>\" [--kind once|cron|cron6|rrule|text] [--tz ZONE] [--from ISO-8601] [--count N] [--explain]");
        error.WriteLine("       scheduler explain \"<trigger>\" [--kind ...] [--tz ZONE] [--from ISO-8601]");
        error.WriteLine("       scheduler tasks list|show|pause|resume|trigger|cancel [taskId] [--url URL] [--api-key KEY] [--json]");
        error.WriteLine("       scheduler instances <taskId> [--state STATE] [--url URL] [--api-key KEY] [--json]");
        error.WriteLine("       scheduler calendars list|show|set|delete [name] [--date D] [--cron C] [--rrule R] [--ics FILE] [--tz ZONE] [--url URL] [--api-key KEY] [--json]");
        error.WriteLine("       scheduler db migrate|status --connection CONNECTION_STRING [--provider postgres|cockroachdb|sqlite] [--cluster NAME]");
        error.WriteLine("       scheduler --help | --version");
    }

    private static string Spoken(DateTimeOffset instant, DateTimeZone zone)
    {
        var local = WallClock.InZone(instant, zone);
        return local.ToString("dddd d MMMM yyyy, h:mmtt", CultureInfo.InvariantCulture).Replace("AM", "am", StringComparison.Ordinal).Replace("PM", "pm", StringComparison.Ordinal);
    }

    private static int Invoke(ParseResult result, Argument<string> trigger, Option<string?> kind, Option<string> zone, Option<string?> from, TimeProvider clock,
        TextWriter error, Action<(ParsedTrigger Parsed, DateTimeOffset From)> action)
    {
        try
        {
            var timeZone = TimeZones.Find(result.GetValue(zone));
            var fromText = result.GetValue(from);
            DateTimeOffset start;
            if (fromText is null)
            {
                start = clock.GetUtcNow();
            }
            else if (!ExecuteOnceTrigger.TryParseInstant(fromText, timeZone, out start))
            {
                error.WriteLine($"--from '{fromText}' is not an ISO-8601 date and time. Write it like 2025-01-01T00:00:00-05:00 (without an offset it is read in --tz).");
                return InvalidInput;
            }
            else if (!TriggerInstants.Contains(start))
            {
                error.WriteLine($"--from '{fromText}' is outside the supported range, {TriggerInstants.Range}. Give an instant within it.");
                return InvalidInput;
            }

            var expression = result.GetValue(trigger)!;
            var built = Build(expression, result.GetValue(kind), timeZone, start);
            try
            {
                action((built, start));
            }
            catch (Exception ex) when (TriggerInstants.IsEvaluationFailure(ex))
            {
                error.WriteLine(TriggerFactory.CannotEvaluate(expression, built.Trigger.TimeZone, ex).Message);
                return InvalidInput;
            }

            return Success;
        }
        catch (TriggerFormatException ex)
        {
            error.WriteLine(ex.Message);
            return InvalidInput;
        }
    }

    private static ParsedTrigger Build(string expression, string? kind, DateTimeZone zone, DateTimeOffset anchor) => kind switch
    {
        "cron" => new ParsedTrigger(CronTrigger.Parse(expression, zone, requiredFields: 5)),
        "cron6" => new ParsedTrigger(CronTrigger.Parse(expression, zone, requiredFields: 6)),
        _ => TriggerFactory.Read(kind switch
        {
            "once" => TriggerKind.Once,
            "rrule" => TriggerKind.RRule,
            "text" => TriggerKind.Text,
            _ => TriggerKind.Detect,
        }, expression, zone.Id, anchor),
    };

    private static void Explain(ParsedTrigger parsed, DateTimeOffset from, TextWriter output)
    {
        var trigger = parsed.Trigger;
        var normalized = trigger is TextTrigger text ? text.Normalized : trigger;
        var form = normalized switch
        {
            CronTrigger cron => cron.HasSeconds ? "cron6" : "cron",
            RRuleTrigger => "rrule",
            _ => "instant",
        };
        output.WriteLine($"kind: {trigger.Kind.ToString().ToLowerInvariant()}");
        output.WriteLine($"time zone: {trigger.TimeZone.Id}");
        output.WriteLine($"description: {trigger.Describe()}");
        foreach (var reading in parsed.Readings)
        {
            output.WriteLine($"reading: {reading}");
        }

        if (parsed.EndAt is { } endAt)
        {
            output.WriteLine($"end at: {Format(endAt, trigger.TimeZone)}");
        }

        if (parsed.MaxOccurrences is { } max)
        {
            var last = TaskEnd.Of(trigger, from, parsed.EndAt, max).LastFireTime;
            output.WriteLine($"max occurrences: {max}{(last is { } l ? $", the last at {Format(l, trigger.TimeZone)}" : "")}");
        }

        if (parsed.Calendar is { } calendar)
        {
            output.WriteLine($"calendar: {calendar} (a node skips the times it excludes; 'next' lists the trigger's times without it)");
        }

        if (normalized is CronTrigger { IsMacro: true } macro)
        {
            output.WriteLine($"expansion: {macro.Expansion}");
        }

        output.WriteLine($"normalized ({form}):");
        output.WriteLine(normalized.Expression);
    }

    private static string Format(DateTimeOffset instant, DateTimeZone zone) =>
        WallClock.InZone(instant, zone).ToString(instant.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd'T'HH:mm:sszzz" : "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);
}
