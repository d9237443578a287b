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

    public async Task<RunResult> RunAsync(IBenchSystem system, Workload workload, string label, CancellationToken cancellationToken)
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
            var ms = (start - dueTimes[i]).TotalMilliseconds;
            early += ms < 0 ? 1 : 0;
            lateness.Add(ms);
        }

        lost -= Math.Min(lost, rejected);
        if (early > 0)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"{early} early, by up to {-lateness.Min():F1} ms"));
        }

        lateness.Sort();
        double? startRate = workload.IsBurst && lastStart is { } ls ? lateness.Count / Math.Max((ls - dueBase).TotalSeconds, 1e-3) : null;

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

        RunRecorder.Current = null;
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

        return new RunResult
        {
            BulkIntakeRate = bulkRate,
            Count = n,
            ScheduleRate = scheduleRate,
            StartRate = startRate,
            RecordedRate = recordedRate,
            LatenessP50 = Percentile(lateness, 0.50),
            LatenessP90 = Percentile(lateness, 0.90),
            LatenessP99 = Percentile(lateness, 0.99),
            LatenessMax = lateness.Count > 0 ? lateness[^1] : null,
            Early = early,
            Duplicates = duplicates,
            Lost = lost,
            Rejected = rejected,
            Notes = notes,
        };
    }

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
}
