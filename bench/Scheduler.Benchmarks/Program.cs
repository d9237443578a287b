using System.Globalization;
using Npgsql;
using Scheduler.Benchmarks;
using Scheduler.Benchmarks.Systems;

// One run compares the systems named by --systems on the workloads named by --workloads: per system, its store and virtual host are
// created anew, then per workload one warm-up run and --runs measured runs (the store emptied before each), then one markdown table.
var options = BenchOptions.Parse(args);
if (options is null)
{
    return args.Contains("--help") || args.Contains("-h") ? 0 : 2;
}

Environment.SetEnvironmentVariable("MASSTRANSIT_USAGE_TELEMETRY", "false"); // also switched off on every bus
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};
var ct = cancellation.Token;
var time = TimeProvider.System;
var startedAt = time.GetUtcNow();
var machine = await MachineInfo.DescribeAsync(options, ct);
var workloads = options.Workloads.Select(w => Workload.Parse(w, options.Backlog))
    .Select(w => w.Kind == WorkloadKind.Backlog ? w : w.Scaled(options.TaskScale)).ToList();
Console.WriteLine($"Machine: {machine}");
Console.WriteLine($"Systems: {string.Join(", ", options.Systems)}; workloads: {string.Join(", ", workloads.Select(w => $"{w.Name} ({w.Count})"))}; "
    + $"{options.Runs} measured runs after 1 warm-up each.");

try
{
    NpgsqlConnection.ClearAllPools();
    string[] databases = [$"{options.Instance}_scheduler", $"{options.Instance}_quartz", $"{options.Instance}_hangfire"];
    await PostgresAdmin.ThrowIfInUseAsync(options.Postgres, databases, ct);
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine(e.Message);
    return 3;
}

var log = new WarningLog();
var broker = new BrokerTarget(options.RabbitMq, options.VirtualHost, options.Prefetch, options.QuorumQueues);
var runner = new BenchRunner(options);
var rows = new List<ResultRow>();
var settings = new List<string>();
var completionSources = new List<string>();
foreach (var (name, nodes) in options.Systems.SelectMany(s => s == "scheduler" ? options.Nodes.Select(n => (s, n)) : [(s, 1)]))
{
    log.System = name;
    await broker.ResetAsync(ct);
    await using IBenchSystem system = name switch
    {
        "scheduler" => new SchedulerSystem(options, broker, log, nodes),
        "embedded" => new SchedulerSystem(options, broker, log, embedded: true),
        "quartz" => new QuartzSystem(options),
        "hangfire" => new HangfireSystem(options),
        _ => new BusCeilingSystem(options, broker, log),
    };
    settings.Add($"- **{system.Name}**: {system.Settings}");
    completionSources.Add($"- **{system.Name}**: {system.CompletionSource}");
    Console.WriteLine($"[{time.GetUtcNow():HH:mm:ss}] {system.Name}: starting");
    await system.StartAsync(ct);
    foreach (var workload in workloads)
    {
        var runs = new List<RunResult>();
        if (workload.Kind == WorkloadKind.Recurring)
        {
            // One result per minute (firing) of the recurring tasks; none when the system cannot run R.
            runs.AddRange(await runner.RunRecurringAsync(system, workload, ct));
            runs.ForEach(m => Console.WriteLine($"[{time.GetUtcNow():HH:mm:ss}] {system.Name} {workload.Name} minute {runs.IndexOf(m) + 1}: {Summary(m)}"));
        }
        else if (workload.Kind == WorkloadKind.Backlog)
        {
            if (await runner.RunBacklogAsync(system, workload, ct) is { } backlog)
            {
                runs.Add(backlog);
                Console.WriteLine($"[{time.GetUtcNow():HH:mm:ss}] {system.Name} {workload.Name}: {Summary(backlog)}");
            }
        }
        else
        {
            var warmup = workload.Scaled(options.WarmupScale, minimum: 50);
            var w = await runner.RunAsync(system, warmup, "warmup", ct);
            Console.WriteLine($"[{time.GetUtcNow():HH:mm:ss}] {system.Name} {workload.Name} warm-up ({warmup.Count} tasks): {Summary(w)}");
            for (var r = 1; r <= options.Runs; r++)
            {
                var result = await runner.RunAsync(system, workload, $"r{r}", ct);
                runs.Add(result);
                Console.WriteLine($"[{time.GetUtcNow():HH:mm:ss}] {system.Name} {workload.Name} run {r}: {Summary(result)}");
            }
        }

        if (runs.Count == 0)
        {
            Console.WriteLine($"[{time.GetUtcNow():HH:mm:ss}] {system.Name} {workload.Name}: n/a (not implemented for this system)");
        }

        rows.Add(new ResultRow(system.Name, workload, runs));
    }
}

var elapsed = time.GetUtcNow() - startedAt;
Console.WriteLine();
Console.WriteLine($"## Results ({startedAt:yyyy-MM-dd HH:mm} UTC, {elapsed.TotalMinutes:F0} min)");
Console.WriteLine();
Console.WriteLine($"Machine: {machine}");
Console.WriteLine();
Console.WriteLine(ResultTable.Render(rows));
Console.WriteLine($"Cells: median of {options.Runs} measured runs, (min–max) when they differ. Due instant = end of scheduling (estimated) + {options.Margin.TotalSeconds:F0} s. "
    + $"Task counts scaled by {options.TaskScale.ToString(CultureInfo.InvariantCulture)}.");
Console.WriteLine();
Console.WriteLine("Settings:");
settings.ForEach(Console.WriteLine);
Console.WriteLine();
Console.WriteLine("Completion recorded from:");
completionSources.ForEach(Console.WriteLine);
Console.WriteLine();
Console.WriteLine($"Handler starts for no current run (late duplicates or left-overs): {RunRecorder.Stale}. Warnings and errors logged by the hosts: "
    + (log.Counts.Count == 0 ? "none." : string.Join(", ", log.Counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}: {c.Value}"))));
return 0;

static string Summary(RunResult r)
{
    // The measures this run has (null ones left out), then the starts.
    (string Name, double? Value, string Format)[] measures =
    [
        ("scheduled/s", r.ScheduleRate, "F0"), ("bulk intake/s", r.BulkIntakeRate, "F0"), ("to last start /s", r.StartRate, "F0"),
        ("to last recorded /s", r.RecordedRate, "F0"), ("drain s", r.DrainSeconds, "F1"), ("CPU %", r.CpuPercent, "F0"),
        ("bytes/task", r.BytesPerTask, "F0"), ("cleanup rows/s", r.CleanupRate, "F0"),
    ];
    return string.Join(", ", measures.Where(m => m.Value is not null).Select(m => $"{m.Name} {m.Value!.Value.ToString(m.Format, CultureInfo.InvariantCulture)}"))
        + string.Create(CultureInfo.InvariantCulture, $", lateness p50 {r.LatenessP50:F1} p99 {r.LatenessP99:F1} max {r.LatenessMax:F1} ms, early {r.Early}, dup {r.Duplicates}, lost {r.Lost}")
        + (r.Notes.Count > 0 ? "; " + string.Join("; ", r.Notes) : "");
}
