namespace Scheduler.Benchmarks;

/// <summary>
/// Records, in memory, when each task's handler started, for the run in progress: every system's no-op handler calls
/// <see cref="Record"/> with the run id and task index it was scheduled with. Starts for another run id are counted as stale.
/// </summary>
internal sealed class RunRecorder
{
    private static RunRecorder? s_current;
    private static long s_stale;
    private readonly int[] _counts;
    private readonly long[] _firstStartTicks;
    private int _started;

    public RunRecorder(string runId, int count)
    {
        RunId = runId;
        _counts = new int[count];
        _firstStartTicks = new long[count];
    }

    public string RunId { get; }

    public int Count => _counts.Length;

    /// <summary>Tasks whose handler started at least once.</summary>
    public int Started => Volatile.Read(ref _started);

    /// <summary>Starts that belonged to no current run (a late duplicate of an earlier run, or a left-over), since the process started.</summary>
    public static long Stale => Interlocked.Read(ref s_stale);

    public static RunRecorder? Current
    {
        get => Volatile.Read(ref s_current);
        set => Volatile.Write(ref s_current, value);
    }

    /// <summary>Called by every handler: records a start of task <paramref name="index"/> of run <paramref name="runId"/> now.</summary>
    public static void Record(string? runId, int index)
    {
        var now = TimeProvider.System.GetUtcNow().UtcTicks;
        var current = Current;
        if (current is null || runId != current.RunId || (uint)index >= (uint)current._counts.Length)
        {
            Interlocked.Increment(ref s_stale);
            return;
        }

        current.RecordStart(index, now);
    }

    /// <summary>Records a start of task <paramref name="index"/> (within range) at <paramref name="nowTicks"/> (UTC ticks).</summary>
    public void RecordStart(int index, long nowTicks)
    {
        if (Interlocked.Increment(ref _counts[index]) == 1)
        {
            Volatile.Write(ref _firstStartTicks[index], nowTicks);
            Interlocked.Increment(ref _started);
        }
    }

    public int StartsOf(int index) => Volatile.Read(ref _counts[index]);

    public DateTimeOffset? FirstStartOf(int index) =>
        StartsOf(index) > 0 ? new DateTimeOffset(Volatile.Read(ref _firstStartTicks[index]), TimeSpan.Zero) : null;
}
