namespace Scheduler.Benchmarks;

/// <summary>What one run measured. Rates in tasks per second, lateness in milliseconds; <see langword="null"/> where not measurable.</summary>
internal sealed record RunResult
{
    public required int Count { get; init; }

    /// <summary>Tasks accepted per second while scheduling (Stopwatch from the first request to the last reply).</summary>
    public double? ScheduleRate { get; init; }

    /// <summary>Bulk intake accepted per second (see <see cref="IBenchSystem.MeasureBulkIntakeAsync"/>).</summary>
    public double? BulkIntakeRate { get; init; }

    /// <summary>R: last handler start of the minute's burst − its due instant, in seconds.</summary>
    public double? DrainSeconds { get; init; }

    /// <summary>R: CPU time of the benchmark process (node, worker and client) over the minute, in % of one core.</summary>
    public double? CpuPercent { get; init; }

    /// <summary>B: the store's bytes (tables and indexes, <c>pg_total_relation_size</c>) per waiting task.</summary>
    public double? BytesPerTask { get; init; }

    /// <summary>B: rows the store's cleanup (<c>ICleanupStore.CleanupAsync</c>, the cleanup loop's batch size) deleted per second.</summary>
    public double? CleanupRate { get; init; }

    /// <summary>T workloads: started tasks / (last handler start − due instant).</summary>
    public double? StartRate { get; init; }

    /// <summary>T workloads: completed tasks / (last completion recorded in the store − due instant).</summary>
    public double? RecordedRate { get; init; }

    public double? LatenessP50 { get; init; }

    public double? LatenessP90 { get; init; }

    public double? LatenessP99 { get; init; }

    public double? LatenessMax { get; init; }

    /// <summary>Tasks whose handler started before their due instant.</summary>
    public int Early { get; init; }

    /// <summary>Tasks whose handler started more than once.</summary>
    public int Duplicates { get; init; }

    /// <summary>Tasks whose handler never started before the deadline.</summary>
    public int Lost { get; init; }

    /// <summary>Commands the system rejected.</summary>
    public int Rejected { get; init; }

    /// <summary>Anything odd about this run (scheduling overran the due instant, completions not all recorded, ...).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}
