using System.Globalization;
using Scheduler.FaultTests.Records;
using Xunit.Abstractions;

namespace Scheduler.FaultTests;

/// <summary>
/// Checks a fault test's outcome from the database and the workers' printed deliveries, prints a summary (and appends it to the file named
/// by <c>SCHEDULER_FAULT_MEASUREMENTS</c>, if set), then fails with every violation found: every task final as expected, none stranded
/// (Scheduled, Claimed or Dispatched), no attempt above its maximum, nothing delivered before it was due, each instance's deliveries in
/// attempt order, no delivery repeated except as <see cref="FaultExpectation.Allowance"/> allows (what the fault caught in flight, measured),
/// and no Warning logged by any node or worker outside the fault.
/// </summary>
internal static class FaultVerdict
{
    /// <summary>How long after the system recovered its last lines about the fault may still come (a report sent again, an endpoint's
    /// restart logged): 5 s.</summary>
    public static readonly TimeSpan WarningGrace = TimeSpan.FromSeconds(5);

    /// <summary>How far before its due time a delivery may seem to arrive: the worker prints its lateness to 0.1 ms from the same clock.</summary>
    private const double ClockGranularityMs = 1.0;

    public static async Task VerifyAsync(FaultSystem system, FaultExpectation expected, ITestOutputHelper output)
    {
        var taskIds = expected.Completing.Concat(expected.DeadLettered).ToList();
        var rows = await system.ReadInstancesAsync(taskIds);
        var deliveries = system.Deliveries();
        var violations = new List<string>();

        // Every task has its one instance, final as expected; nothing stranded.
        var byTask = rows.GroupBy(r => r.DefinitionId).ToDictionary(g => g.Key, g => g.ToList());
        var missing = taskIds.Where(id => !byTask.ContainsKey(id)).ToList();
        Check(violations, missing.Count == 0, $"{missing.Count} tasks have no instance, e.g. task {missing.FirstOrDefault()}");
        Check(violations, byTask.All(t => t.Value.Count == 1), "a task has more than one instance");
        var completing = expected.Completing.ToHashSet();
        var notCompleted = rows.Where(r => completing.Contains(r.DefinitionId) && r.Status != InstanceRow.Completed).ToList();
        Check(violations, notCompleted.Count == 0,
            $"{notCompleted.Count} of {completing.Count} tasks did not complete (" +
            string.Join(", ", notCompleted.GroupBy(r => r.Status).Select(g => $"{g.Count()} {InstanceRow.StatusName(g.Key)}")) + "), e.g.\n  " +
            string.Join("\n  ", notCompleted.Take(5)));
        var deadLettered = expected.DeadLettered.ToHashSet();
        var notDeadLettered = rows.Where(r => deadLettered.Contains(r.DefinitionId) &&
            (r.Status != InstanceRow.Failed || string.IsNullOrWhiteSpace(r.LastError) || r.Attempt != r.MaxAttempts)).ToList();
        Check(violations, notDeadLettered.Count == 0,
            $"{notDeadLettered.Count} of {deadLettered.Count} poisoned tasks are not dead-lettered with a reason after using up their attempts:\n  " +
            string.Join("\n  ", notDeadLettered));
        var stranded = rows.Where(r => r.Status is InstanceRow.Scheduled or InstanceRow.Claimed or InstanceRow.Dispatched).ToList();
        Check(violations, stranded.Count == 0, $"{stranded.Count} instances stranded (Scheduled, Claimed or Dispatched)");

        // Attempts never above the maximum, in the database and in what the workers received.
        var overAttempted = rows.Where(r => r.Attempt > r.MaxAttempts).ToList();
        Check(violations, overAttempted.Count == 0,
            $"{overAttempted.Count} instances have an attempt above their maximum, e.g.\n  " + string.Join("\n  ", overAttempted.Take(5)));
        var overDelivered = deliveries.Where(d => d.Attempt > d.MaxAttempts).ToList();
        Check(violations, overDelivered.Count == 0,
            $"{overDelivered.Count} deliveries carry an attempt above their maximum, e.g. {overDelivered.FirstOrDefault()}");

        // Nothing early.
        var early = deliveries.Where(d => d.LatenessMs < -ClockGranularityMs).ToList();
        Check(violations, early.Count == 0, $"{early.Count} deliveries arrived before their due time, e.g. {early.FirstOrDefault()}");

        // Every completed instance reached a worker; per instance, attempts arrive in order; repeats only as the fault allows.
        var perInstance = deliveries.GroupBy(d => d.InstanceId).ToDictionary(g => g.Key, g => (IReadOnlyList<WorkerDelivery>)g.OrderBy(d => d.ReceivedAt).ToList());
        var undelivered = rows.Where(r => r.Status == InstanceRow.Completed && !perInstance.ContainsKey(r.Id)).ToList();
        Check(violations, undelivered.Count == 0, $"{undelivered.Count} instances completed without a delivery printed by a worker, e.g. {undelivered.FirstOrDefault()}");
        var outOfOrder = perInstance.Where(p => p.Value.Zip(p.Value.Skip(1)).Any(pair => pair.Second.Attempt < pair.First.Attempt)).ToList();
        Check(violations, outOfOrder.Count == 0,
            $"{outOfOrder.Count} instances received a lower attempt after a higher one, e.g. {Describe(outOfOrder.Select(p => p.Value).FirstOrDefault())}");
        var repeated = perInstance.Where(p => p.Value.Count > 1).ToList();
        var sameAttempt = repeated.Where(p => p.Value.GroupBy(d => d.Attempt).Any(g => g.Count() > 1)).ToList();
        var allowance = expected.Allowance;
        var unexplained = repeated.Where(p => !allowance.MayRepeat.Contains(p.Key)).ToList();
        Check(violations, unexplained.Count == 0,
            $"{unexplained.Count} instances were delivered more than once although the fault did not catch them in flight (allowed: {allowance.Because}), " +
            $"e.g. {Describe(unexplained.Select(p => p.Value).FirstOrDefault())}");
        var sameAttemptUnexplained = sameAttempt.Where(p => !allowance.MayRepeatSameAttempt.Contains(p.Key)).ToList();
        Check(violations, sameAttemptUnexplained.Count == 0,
            $"{sameAttemptUnexplained.Count} (instance, attempt) pairs were delivered twice although neither a broker redelivery nor a lapsed claim explains it " +
            $"(allowed: {allowance.Because}); e.g. {Describe(sameAttemptUnexplained.Select(p => p.Value).FirstOrDefault())}");

        // No Warning outside the fault: from its start until the system had recovered (plus a grace for the last lines of the recovery).
        var windowEnd = expected.RecoveredAt is { } recovered ? recovered + WarningGrace : (DateTimeOffset?)null;
        var strayWarnings = system.Warnings()
            .Where(w => !(windowEnd is { } end && w.At >= expected.FaultStart && w.At <= end) && !expected.ExpectedWarning(w))
            .ToList();
        Check(violations, strayWarnings.Count == 0,
            $"{strayWarnings.Count} Warnings or Errors were logged outside the fault ({expected.FaultStart:HH:mm:ss.fff}.." +
            $"{(windowEnd is { } e ? e.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture) : "no fault")}):\n  " + string.Join("\n  ", strayWarnings.Take(10)));

        // The summary, for docs/guarantees.md.
        var finished = rows.Where(r => r.CompletedAt is not null).ToList();
        var dueBeforeEnd = finished.Where(r => r.FireTime <= expected.FaultEnd).ToList();
        var recovery = dueBeforeEnd.Count == 0 ? TimeSpan.Zero : dueBeforeEnd.Max(r => r.CompletedAt!.Value) - expected.FaultEnd;
        var lastDue = rows.Count == 0 ? expected.FaultEnd : rows.Max(r => r.FireTime);
        var lastCompleted = finished.Count == 0 ? (DateTimeOffset?)null : finished.Max(r => r.CompletedAt!.Value);
        var lateness = deliveries.Select(d => d.LatenessMs).Order().ToList();
        var worst = finished.Count == 0 ? TimeSpan.Zero : finished.Max(r => r.CompletedAt!.Value - r.FireTime);
        var selfRecovery = expected.RecoveredAt is { } back
            ? string.Create(CultureInfo.InvariantCulture, $"recovered by itself {(back - expected.FaultEnd).TotalSeconds:F1} s after the fault; ")
            : "";
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"{expected.Fault}: {taskIds.Count} tasks, {rows.Count(r => r.Status == InstanceRow.Completed)} completed, " +
            $"{rows.Count(r => r.Status == InstanceRow.Failed)} dead-lettered, {stranded.Count} stranded; " +
            $"fault {expected.FaultStart:HH:mm:ss.f}..{expected.FaultEnd:HH:mm:ss.f} ({(expected.FaultEnd - expected.FaultStart).TotalSeconds:F1} s); " +
            $"recovery {recovery.TotalSeconds:F1} s (fault end to the last completion of the tasks due before it); " +
            $"last due {lastDue:HH:mm:ss.f}, last completion {lastCompleted:HH:mm:ss.f}; worst task completed {worst.TotalSeconds:F1} s after its due time; " +
            $"{deliveries.Count} deliveries, {repeated.Count} instances delivered more than once ({sameAttempt.Count} with the same attempt) of " +
            $"{allowance.MayRepeat.Count} in flight ({allowance.MayRepeatSameAttempt.Count} that may repeat the same attempt); " +
            $"{selfRecovery}" +
            $"max attempt {(rows.Count == 0 ? 0 : rows.Max(r => r.Attempt))}; lateness p50 {Percentile(lateness, 0.5):F0} ms, p99 {Percentile(lateness, 0.99):F0} ms, " +
            $"max {(lateness.Count == 0 ? 0 : lateness[^1]):F0} ms; test ran {system.Elapsed.TotalSeconds:F0} s; {(violations.Count == 0 ? "PASSED" : $"FAILED ({violations.Count} violations)")}");
        output.WriteLine(summary);
        foreach (var row in rows.Where(r => deadLettered.Contains(r.DefinitionId)))
        {
            output.WriteLine($"dead-lettered: {row}");
        }

        if (Environment.GetEnvironmentVariable("SCHEDULER_FAULT_MEASUREMENTS") is { Length: > 0 } file)
        {
            await File.AppendAllTextAsync(file, $"- {FaultSystem.Now:yyyy-MM-dd HH:mm}Z {summary}\n");
        }

        Assert.True(violations.Count == 0, $"{expected.Fault}:\n- " + string.Join("\n- ", violations));
    }

    private static void Check(List<string> violations, bool condition, string violation)
    {
        if (!condition)
        {
            violations.Add(violation);
        }
    }

    private static string Describe(IReadOnlyList<WorkerDelivery>? deliveries) => deliveries is null
        ? "-"
        : $"instance {deliveries[0].InstanceId}: " + string.Join(", ", deliveries.Select(d =>
            string.Create(CultureInfo.InvariantCulture, $"attempt {d.Attempt} to {d.Worker} at {d.ReceivedAt:HH:mm:ss.fff}")));

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
