namespace Scheduler.Benchmarks;

/// <summary>One system under comparison, started once and then asked for several runs.</summary>
internal interface IBenchSystem : IAsyncDisposable
{
    /// <summary>The name in the result table.</summary>
    string Name { get; }

    /// <summary>Its settings, printed under the table so the comparison can be judged.</summary>
    string Settings { get; }

    /// <summary>A guess of how many tasks per second it accepts, used for the warm-up run's due instant (later runs use the measured rate).</summary>
    double InitialScheduleRateGuess { get; }

    /// <summary>Whether scheduling happens before the due instant (false for the bus ceiling, which publishes at the due instant).</summary>
    bool SchedulesAhead { get; }

    /// <summary>How the store's completion column is read ("n/a" when it is not).</summary>
    string CompletionSource { get; }

    /// <summary>Creates its database (dropped first) and starts its hosts.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Empties its store between runs, the system still running and idle.</summary>
    Task ResetAsync(CancellationToken cancellationToken);

    /// <summary>Schedules task i of <paramref name="dueTimes"/> for run <paramref name="runId"/>; returns how many were rejected.</summary>
    Task<int> ScheduleAsync(string runId, IReadOnlyList<DateTimeOffset> dueTimes, CancellationToken cancellationToken);

    /// <summary>
    /// A system with a bulk scheduling command schedules the tasks of <paramref name="dueTimes"/> through it and returns how many it accepted
    /// per second; the runner calls it after a burst run, with due times an hour ahead (nothing fires), and empties the store after it.
    /// </summary>
    Task<double?> MeasureBulkIntakeAsync(string runId, IReadOnlyList<DateTimeOffset> dueTimes, CancellationToken cancellationToken) =>
        Task.FromResult<double?>(null);

    /// <summary>Workload R: schedules <paramref name="count"/> recurring tasks (cron <c>* * * * *</c>, UTC) for run <paramref name="runId"/>;
    /// returns how many were rejected, or <see langword="null"/> when the system does not run workload R.</summary>
    Task<int?> ScheduleRecurringAsync(string runId, int count, CancellationToken cancellationToken) => Task.FromResult<int?>(null);

    /// <summary>Workload B: the store's size in bytes (tables and indexes) with the backlog stored, or <see langword="null"/>.</summary>
    Task<long?> MeasureStoreBytesAsync(CancellationToken cancellationToken) => Task.FromResult<long?>(null);

    /// <summary>Workload B: makes every stored task finished past retention and deletes them with the store's own cleanup; returns rows
    /// deleted per second, or <see langword="null"/>.</summary>
    Task<double?> MeasureCleanupAsync(CancellationToken cancellationToken) => Task.FromResult<double?>(null);

    /// <summary>Reads the store's completion bookkeeping: how many tasks it records as completed, and the last completion instant;
    /// <see langword="null"/> when the system keeps none that can be read.</summary>
    Task<CompletionSnapshot?> ReadCompletionsAsync(CancellationToken cancellationToken);

    /// <summary>What went over the bus after the tasks were due since the last call (a run's note), or <see langword="null"/> when not measured.</summary>
    string? TakeWireNote(int tasks) => null;
}

/// <summary>The store's view of completions: <paramref name="Completed"/> tasks, the last at <paramref name="LastCompletedAt"/> (UTC).</summary>
internal sealed record CompletionSnapshot(int Completed, DateTimeOffset? LastCompletedAt);
