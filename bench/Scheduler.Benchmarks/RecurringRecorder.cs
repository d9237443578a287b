using System.Collections.Concurrent;

namespace Scheduler.Benchmarks;

/// <summary>
/// Records the handler starts of the R workload's recurring tasks: one <see cref="RunRecorder"/> per due instant (each minute's firing of
/// <c>* * * * *</c>), keyed by <c>TaskDue.DueAt</c>, so every minute is measured as a burst of its own.
/// </summary>
internal sealed class RecurringRecorder(string runId, int count)
{
    private static RecurringRecorder? s_current;
    private readonly ConcurrentDictionary<DateTimeOffset, RunRecorder> _byDue = new();

    public string RunId { get; } = runId;

    /// <summary>Recurring tasks in the run (indexes 0 to Count − 1).</summary>
    public int Count { get; } = count;

    public static RecurringRecorder? Current
    {
        get => Volatile.Read(ref s_current);
        set => Volatile.Write(ref s_current, value);
    }

    /// <summary>The starts of the firing due at <paramref name="dueAt"/> (a recorder with none when nothing started yet).</summary>
    public RunRecorder For(DateTimeOffset dueAt) => _byDue.GetOrAdd(dueAt, _ => new RunRecorder(RunId, Count));

    /// <summary>Called by every handler: records the start if it belongs to the current R run; returns whether it did.</summary>
    public static bool TryRecord(string? runId, int index, DateTimeOffset dueAt)
    {
        var now = TimeProvider.System.GetUtcNow().UtcTicks;
        var current = Current;
        if (current is null || runId != current.RunId || (uint)index >= (uint)current.Count)
        {
            return false;
        }

        current.For(dueAt).RecordStart(index, now);
        return true;
    }
}
