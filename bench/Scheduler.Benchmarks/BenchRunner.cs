using System.Diagnostics;
using System.Globalization;

namespace Scheduler.Benchmarks;

/// <summary>
/// Runs one workload on one system: picks the due instant after the expected end of scheduling plus the margin, schedules every task,
/// waits for every handler start (or the deadline), waits for the store to record the completions, then resets the store.
/// </summary>
internal sealed class BenchRunner(BenchOptions options)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly Dictionary<string, double> _scheduleRates = [];

    /// <summary>Runs <paramref name="workload"/> (T or L) once; the store is emptied after it unless <paramref name="reset"/> is false.</summary>
    public async Task<RunResult> RunAsync(IBenchSystem system, Workload workload, string label, CancellationToken cancellationToken, bool reset = true)
    {
        var n = workload.Count;
        var runId = $"{label}-{Guid.NewGuid():N}"[..(label.Length + 13)];
        var recorder = new RunRecorder(runId, n);
        RunRecorder.Current = recorder;
        var notes = new List<string>();

        // The due instant: after scheduling is expected to end (1.25 × the time at the lowest rate measured on this system in a run of at
        // least 200 tasks, else the system's guess), plus the margin. On a busy machine the rate varies threefold between runs, so the
        // lowest one, not the last; a run whose scheduling still overruns the due instant says so in its notes.
        var rate = _scheduleRates.GetValueOrDefault(system.Name, system.InitialScheduleRateGuess);
        var expectedScheduling = system.SchedulesAhead ? TimeSpan.FromSeconds(n / rate * 1.25) : TimeSpan.Zero;
        var dueBase = _time.GetUtcNow() + expectedScheduling + options.Margin;
        dueBase = new DateTimeOffset(dueBase.UtcTicks - dueBase.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero); // whole ms, as triggers carry it
        var dueTimes = Enumerable.Range(0, n).Select(i => dueBase + workload.OffsetOf(i)).ToArray();
        var lastDue = dueTimes[^1];

        var stopwatch = Stopwatch.StartNew();
        var rejected = await system.ScheduleAsync(runId, dueTimes, cancellationToken);
        stopwatch.Stop();
        double? scheduleRate = null;
        if (system.SchedulesAhead)
        {
            scheduleRate = (n - rejected) / stopwatch.Elapsed.TotalSeconds;
            if (n >= 200)
            {
                _scheduleRates[system.Name] = Math.Max(Math.Min(scheduleRate.Value, _scheduleRates.GetValueOrDefault(system.Name, double.MaxValue)), 1);
            }
            var slack = dueBase - _time.GetUtcNow();
            if (slack < TimeSpan.Zero)
            {
                notes.Add(string.Create(CultureInfo.InvariantCulture, $"scheduling ended {-slack.TotalSeconds:F1} s after the due instant"));
            }
        }

        if (rejected > 0)
        {
            notes.Add($"{rejected} rejected");
        }

        // Every start, or the deadline: generous (60 s past the last due instant plus 25 ms per task, i.e. 40 tasks/s).
        var deadline = lastDue + TimeSpan.FromSeconds(60) + TimeSpan.FromMilliseconds(25) * n;
        while (recorder.Started < n - rejected && _time.GetUtcNow() < deadline)
        {
            await Task.Delay(Poll, _time, cancellationToken);
        }

        await Task.Delay(options.Grace, _time, cancellationToken); // late duplicates
        var starts = Starts.Of(recorder, i => dueTimes[i], rejected);
        var lateness = starts.Lateness;
        if (starts.Early > 0)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"{starts.Early} early, by up to {-lateness[0]:F1} ms"));
        }

        double? startRate = workload.IsBurst && starts.LastStart is { } ls ? lateness.Count / Math.Max((ls - dueBase).TotalSeconds, 1e-3) : null;

        // Completions recorded in the store: poll until all are, or 30 s plus 5 ms per task after the last start.
        double? recordedRate = null;
        var snapshot = await system.ReadCompletionsAsync(cancellationToken);
        if (snapshot is not null)
        {
            var recordDeadline = _time.GetUtcNow() + TimeSpan.FromSeconds(30) + TimeSpan.FromMilliseconds(5) * n;
            while (snapshot!.Completed < lateness.Count && _time.GetUtcNow() < recordDeadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), _time, cancellationToken);
                snapshot = await system.ReadCompletionsAsync(cancellationToken);
            }

            if (snapshot.Completed < lateness.Count)
            {
                notes.Add($"{snapshot.Completed} of {lateness.Count} completions recorded");
            }

            if (workload.IsBurst && snapshot.LastCompletedAt is { } lc)
            {
                recordedRate = snapshot.Completed / Math.Max((lc - dueBase).TotalSeconds, 1e-3);
            }
        }

        if (system.TakeWireNote(lateness.Count) is { } wire)
        {
            notes.Add(wire);
        }

        RunRecorder.Current = null;
        if (!reset)
        {
            return Result(starts, scheduleRate, startRate, recordedRate, rejected, notes);
        }

        await system.ResetAsync(cancellationToken);
        double? bulkRate = null;
        if (workload.IsBurst)
        {
            bulkRate = await system.MeasureBulkIntakeAsync(runId + "-bulk", dueTimes.Select(t => t.AddHours(1)).ToList(), cancellationToken);
            if (bulkRate is not null)
            {
                await system.ResetAsync(cancellationToken);
            }
        }

        return Result(starts, scheduleRate, startRate, recordedRate, rejected, notes) with { BulkIntakeRate = bulkRate };
    }

    /// <summary>
    /// Workload R: schedules <see cref="Workload.Count"/> recurring tasks (<c>* * * * *</c>) and measures each of the next
    /// <see cref="Workload.RecurringMinutes"/> firings that begin at least the margin after scheduling ended as one burst: lateness against
    /// the minute, drain time (last start − minute), duplicates, lost, and the process's CPU from 10 s before the minute (the execution
    /// window, when its instances are created and claimed) to 48 s after it. Then empties the store, before the next firing is created.
    /// Returns one result per minute; none when the system cannot schedule recurring tasks.
    /// </summary>
    public async Task<IReadOnlyList<RunResult>> RunRecurringAsync(IBenchSystem system, Workload workload, CancellationToken cancellationToken)
    {
        var n = workload.Count;
        if (_time.GetUtcNow().Second > 40)
        {
            await Task.Delay(TimeSpan.FromSeconds(61 - _time.GetUtcNow().Second), _time, cancellationToken); // scheduling ends before the minute
        }

        var recorder = new RecurringRecorder($"R-{Guid.NewGuid():N}"[..14], n);
        RecurringRecorder.Current = recorder;
        var stopwatch = Stopwatch.StartNew();
        var rejected = await system.ScheduleRecurringAsync(recorder.RunId, n, cancellationToken);
        if (rejected is null)
        {
            RecurringRecorder.Current = null;
            return [];
        }

        var scheduleRate = (n - rejected.Value) / stopwatch.Elapsed.TotalSeconds;
        var first = NextMinute(_time.GetUtcNow() + options.Margin + TimeSpan.FromSeconds(10));
        var results = new List<RunResult>();
        using var process = Process.GetCurrentProcess();
        for (var m = 0; m < Workload.RecurringMinutes; m++)
        {
            var due = first.AddMinutes(m);
            await DelayUntilAsync(due - TimeSpan.FromSeconds(10), cancellationToken);
            process.Refresh();
            var cpuStart = process.TotalProcessorTime;
            var wallStart = Stopwatch.GetTimestamp();
            var minute = recorder.For(due);
            while (minute.Started < n - rejected.Value && _time.GetUtcNow() < due + TimeSpan.FromSeconds(48))
            {
                await Task.Delay(Poll, _time, cancellationToken);
            }

            await DelayUntilAsync(due + TimeSpan.FromSeconds(48), cancellationToken); // late duplicates, and the minute's CPU
            process.Refresh();
            var cpu = (process.TotalProcessorTime - cpuStart) / Stopwatch.GetElapsedTime(wallStart) * 100;
            var starts = Starts.Of(minute, _ => due, rejected.Value);
            var notes = new List<string>();
            if (starts.Early > 0)
            {
                notes.Add(string.Create(CultureInfo.InvariantCulture, $"{starts.Early} early, by up to {-starts.Lateness[0]:F1} ms"));
            }

            var drain = starts.LastStart is { } last ? (last - due).TotalSeconds : (double?)null;
            results.Add(Result(starts, scheduleRate, drain is { } d ? starts.Lateness.Count / Math.Max(d, 1e-3) : null, null, rejected.Value, notes)
                with { DrainSeconds = drain, CpuPercent = cpu });
        }

        RecurringRecorder.Current = null;
        await system.ResetAsync(cancellationToken);
        return results;
    }

    /// <summary>
    /// Workload B: <see cref="Workload.Count"/> one-off tasks due evenly from 1 hour to <see cref="Workload.BacklogSpan"/> ahead, stored through
    /// the bulk command (its rate is the bulk intake column); the store's size per task (after <c>ANALYZE</c>, as autovacuum would have done);
    /// then the L workload measured while they wait (its lateness is the row's, to compare with L's row without a backlog); then the
    /// backlog made finished and deleted by the store's cleanup (rows/s). <see langword="null"/> when the system has no bulk command.
    /// </summary>
    public async Task<RunResult?> RunBacklogAsync(IBenchSystem system, Workload workload, CancellationToken cancellationToken)
    {
        var steady = Workload.Parse("L").Scaled(options.TaskScale);
        var warmup = await RunAsync(system, steady.Scaled(options.WarmupScale, minimum: 50), "warmup", cancellationToken);
        Console.WriteLine($"[{_time.GetUtcNow():HH:mm:ss}] {system.Name} B: warm-up L ({warmup.Count} tasks) done");
        var n = workload.Count;
        var from = _time.GetUtcNow() + TimeSpan.FromHours(1);
        var step = (Workload.BacklogSpan - TimeSpan.FromHours(1)) / n;
        var dueTimes = Enumerable.Range(0, n).Select(i => from + step * i).ToList();
        var intake = await system.MeasureBulkIntakeAsync($"B-{Guid.NewGuid():N}"[..14], dueTimes, cancellationToken);
        if (intake is null)
        {
            return null;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{_time.GetUtcNow():HH:mm:ss}] {system.Name} B: {n} tasks stored, {intake:F0}/s"));
        var bytes = await system.MeasureStoreBytesAsync(cancellationToken);
        var run = await RunAsync(system, steady, "B", cancellationToken, reset: false);
        var cleanup = await system.MeasureCleanupAsync(cancellationToken);
        await system.ResetAsync(cancellationToken);
        return run with { BulkIntakeRate = intake, BytesPerTask = bytes / (double?)n, CleanupRate = cleanup };
    }

    private static DateTimeOffset NextMinute(DateTimeOffset t) =>
        new DateTimeOffset(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero).AddMinutes(1);

    private async Task DelayUntilAsync(DateTimeOffset instant, CancellationToken cancellationToken)
    {
        var wait = instant - _time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _time, cancellationToken);
        }
    }

    private static RunResult Result(Starts starts, double? scheduleRate, double? startRate, double? recordedRate, int rejected, List<string> notes) => new()
    {
        Count = starts.Count,
        ScheduleRate = scheduleRate,
        StartRate = startRate,
        RecordedRate = recordedRate,
        LatenessP50 = Percentile(starts.Lateness, 0.50),
        LatenessP90 = Percentile(starts.Lateness, 0.90),
        LatenessP99 = Percentile(starts.Lateness, 0.99),
        LatenessMax = starts.Lateness.Count > 0 ? starts.Lateness[^1] : null,
        Early = starts.Early,
        Duplicates = starts.Duplicates,
        Lost = starts.Lost,
        Rejected = rejected,
        Notes = notes,
    };

    /// <summary>Nearest-rank percentile of sorted <paramref name="sorted"/>.</summary>
    public static double? Percentile(IReadOnlyList<double> sorted, double p)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0)
        {
            return null;
        }

        var rank = (int)Math.Ceiling(p * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    /// <summary>What the handler starts of one run (or one firing) were, against each task's due instant.</summary>
    /// <param name="Lateness">Start − due, ms, of the tasks that started, sorted.</param>
    private sealed record Starts(int Count, List<double> Lateness, int Early, int Duplicates, int Lost, DateTimeOffset? LastStart)
    {
        /// <summary>Reads <paramref name="recorder"/>: task i was due at <paramref name="dueOf"/>(i); <paramref name="rejected"/> tasks were
        /// never stored, so not counted as lost.</summary>
        public static Starts Of(RunRecorder recorder, Func<int, DateTimeOffset> dueOf, int rejected)
        {
            var n = recorder.Count;
            DateTimeOffset? lastStart = null;
            var lateness = new List<double>(n);
            int early = 0, duplicates = 0, lost = 0;
            for (var i = 0; i < n; i++)
            {
                var starts = recorder.StartsOf(i);
                if (starts == 0)
                {
                    lost++;
                    continue;
                }

                duplicates += starts > 1 ? 1 : 0;
                var start = recorder.FirstStartOf(i)!.Value;
                lastStart = lastStart is null || start > lastStart ? start : lastStart;
                var ms = (start - dueOf(i)).TotalMilliseconds;
                early += ms < 0 ? 1 : 0;
                lateness.Add(ms);
            }

            lateness.Sort();
            return new Starts(n, lateness, early, duplicates, lost - Math.Min(lost, rejected), lastStart);
        }
    }
}
