using System.Globalization;

namespace Scheduler.Benchmarks;

/// <summary>What a workload measures: see <see cref="Workload"/>.</summary>
internal enum WorkloadKind
{
    /// <summary>Tn: n one-off tasks due at one instant.</summary>
    Burst,

    /// <summary>L: one-off tasks 10 ms apart.</summary>
    Steady,

    /// <summary>R: n recurring tasks, cron <c>* * * * *</c>, measured over <see cref="Workload.RecurringMinutes"/> minutes.</summary>
    Recurring,

    /// <summary>B: n one-off tasks due over the next 30 days stored through the bulk command, then L measured while they wait.</summary>
    Backlog,
}

/// <summary>
/// What one run asks of a system: <see cref="Count"/> no-op tasks, task i due at the run's base instant plus i × <see cref="Spacing"/>.
/// T workloads have no spacing (all due at one instant, a burst); L spaces them 10 ms apart (a steady load, measured by lateness).
/// R (<see cref="WorkloadKind.Recurring"/>) and B (<see cref="WorkloadKind.Backlog"/>) are run by <see cref="BenchRunner.RunRecurringAsync"/>
/// and <see cref="BenchRunner.RunBacklogAsync"/>.
/// </summary>
internal sealed record Workload(string Name, int Count, TimeSpan Spacing, WorkloadKind Kind = WorkloadKind.Burst)
{
    /// <summary>Minutes (firings of <c>* * * * *</c>) measured by the R workload.</summary>
    public const int RecurringMinutes = 3;

    /// <summary>How far ahead the B workload's tasks are due: spread evenly from 1 hour to 30 days after their scheduling.</summary>
    public static readonly TimeSpan BacklogSpan = TimeSpan.FromDays(30);

    /// <summary>Spacing of the L workload: one task every 10 ms (100 tasks/s).</summary>
    public static readonly TimeSpan SteadySpacing = TimeSpan.FromMilliseconds(10);

    public bool IsBurst => Kind == WorkloadKind.Burst;

    /// <summary>The offset of each task's due instant from the base instant.</summary>
    public TimeSpan OffsetOf(int index) => Spacing * index;

    /// <summary>The same workload with its count multiplied by <paramref name="scale"/> (at least <paramref name="minimum"/> tasks).</summary>
    public Workload Scaled(double scale, int minimum = 1) =>
        this with { Count = Math.Max(Math.Min(minimum, Count), (int)Math.Round(Count * scale)) };

    /// <summary>Reads "T10000,T1000,L,R,B": Tn = n tasks at one instant; L = 2,000 tasks 10 ms apart (Ln for another count); R = 10,000
    /// recurring tasks (Rn); B = the backlog, its count set by --backlog (<paramref name="backlog"/>).</summary>
    public static IReadOnlyList<Workload> ParseList(string text, int backlog = 1_000_000) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(w => Parse(w, backlog)).ToList();

    public static Workload Parse(string name, int backlog = 1_000_000)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name is "B" or "b")
        {
            return new Workload("B", backlog, TimeSpan.Zero, WorkloadKind.Backlog);
        }

        if (name.Length > 0 && (name[0] is 'T' or 't' or 'L' or 'l' or 'R' or 'r'))
        {
            var kind = char.ToUpperInvariant(name[0]) switch { 'T' => WorkloadKind.Burst, 'L' => WorkloadKind.Steady, _ => WorkloadKind.Recurring };
            var digits = name[1..];
            var defaultCount = kind switch { WorkloadKind.Steady => 2000, WorkloadKind.Recurring => 10_000, _ => 0 };
            var count = digits.Length == 0 ? defaultCount : int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 0;
            if (count > 0)
            {
                return new Workload(name.ToUpperInvariant(), count, kind == WorkloadKind.Steady ? SteadySpacing : TimeSpan.Zero, kind);
            }
        }

        throw new FormatException($"Workload '{name}' is not known: use Tn (n tasks due at one instant, e.g. T10000), L (2,000 tasks 10 ms apart), "
            + "R (10,000 recurring tasks, * * * * *, for 3 minutes; Rn for n tasks) or B (the backlog of --backlog tasks, then L while they wait).");
    }
}
