using System.Globalization;

namespace Scheduler.Benchmarks;

/// <summary>
/// What one run asks of a system: <see cref="Count"/> no-op tasks, task i due at the run's base instant plus i × <see cref="Spacing"/>.
/// T workloads have no spacing (all due at one instant, a burst); L spaces them 10 ms apart (a steady load, measured by lateness).
/// </summary>
internal sealed record Workload(string Name, int Count, TimeSpan Spacing)
{
    /// <summary>Spacing of the L workload: one task every 10 ms (100 tasks/s).</summary>
    public static readonly TimeSpan SteadySpacing = TimeSpan.FromMilliseconds(10);

    public bool IsBurst => Spacing == TimeSpan.Zero;

    /// <summary>The offset of each task's due instant from the base instant.</summary>
    public TimeSpan OffsetOf(int index) => Spacing * index;

    /// <summary>The same workload with its count multiplied by <paramref name="scale"/> (at least <paramref name="minimum"/> tasks).</summary>
    public Workload Scaled(double scale, int minimum = 1) =>
        this with { Count = Math.Max(Math.Min(minimum, Count), (int)Math.Round(Count * scale)) };

    /// <summary>Reads "T10000,T1000,L": Tn = n tasks at one instant; L = 2,000 tasks 10 ms apart (Ln for another count).</summary>
    public static IReadOnlyList<Workload> ParseList(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse).ToList();

    public static Workload Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length > 0 && (name[0] is 'T' or 't' or 'L' or 'l'))
        {
            var burst = name[0] is 'T' or 't';
            var digits = name[1..];
            var count = digits.Length == 0 && !burst ? 2000 : int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 0;
            if (count > 0)
            {
                return new Workload(name.ToUpperInvariant(), count, burst ? TimeSpan.Zero : SteadySpacing);
            }
        }

        throw new FormatException($"Workload '{name}' is not known: use Tn (n tasks due at one instant, e.g. T10000) or L (2,000 tasks 10 ms apart).");
    }
}
