using System.Globalization;
using Quartz;

namespace Scheduler.Benchmarks.Systems;

/// <summary>
/// Quartz.NET 4 with its ADO.NET job store on PostgreSQL (Npgsql), clustered, in this process: one scheduler, <see cref="QuartzNoOpJob"/>
/// per task with a one-shot simple trigger at the due instant, scheduled with <see cref="IScheduler.ScheduleJobs"/> in batches.
/// Its tables come from bench/quartz_tables_postgres.sql. Quartz deletes a one-shot trigger and its non-durable job when the job has run,
/// and keeps no completion time, so "recorded" is n/a.
/// </summary>
internal sealed class QuartzSystem(BenchOptions options) : IBenchSystem
{
    private string Database => $"{options.Instance}_quartz";
    private const int BatchSize = 500;
    private string _connectionString = "";
    private IScheduler? _scheduler;

    public string Name => "quartz";

    public string Settings => string.Create(CultureInfo.InvariantCulture,
        $"Quartz.NET 4.7.3, 1 scheduler in this process, persistent store (JobStoreTX) on PostgreSQL database `{Database}`, clustered; "
        + $"thread pool {options.QuartzThreads}; trigger acquisition batch automatic (= thread pool size on a persistent store); other settings "
        + $"at Quartz's defaults; jobs scheduled with `ScheduleJobs` in batches of {BatchSize}, 2 batches in flight; one-shot SimpleTrigger at the "
        + $"due instant (misfire: Quartz's default for it, fire now); no-op `IJob`.");

    public double InitialScheduleRateGuess => 500;

    public bool SchedulesAhead => true;

    public string CompletionSource => "n/a: Quartz deletes a one-shot trigger and its non-durable job once run and keeps no completion time";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _connectionString = await PostgresAdmin.RecreateAsync(options.Postgres, Database, cancellationToken);
        var ddl = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "quartz_tables_postgres.sql"), cancellationToken);
        await PostgresAdmin.ExecuteAsync(_connectionString, ddl, cancellationToken);
        _scheduler = await QuartzSchedulerBuilder.Create(q =>
        {
            q.UseDefaultThreadPool(options.QuartzThreads);
            q.UsePersistentStore(store =>
            {
                store.UsePostgres(_connectionString);
                store.UseClustering();
            });
        }).BuildScheduler(cancellationToken);
        await _scheduler.Start(cancellationToken);
    }

    public async Task ResetAsync(CancellationToken cancellationToken)
    {
        await (_scheduler ?? throw new InvalidOperationException("Not started.")).Clear(cancellationToken);
    }

    public async Task<int> ScheduleAsync(string runId, IReadOnlyList<DateTimeOffset> dueTimes, CancellationToken cancellationToken)
    {
        var scheduler = _scheduler ?? throw new InvalidOperationException("Not started.");
        var batches = Enumerable.Range(0, dueTimes.Count).Chunk(BatchSize);
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = cancellationToken }, async (batch, ct) =>
        {
            var jobs = new Dictionary<IJobDetail, IReadOnlyCollection<ITrigger>>(batch.Length);
            foreach (var i in batch)
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"{runId}/{i}");
                var job = JobBuilder.Create<QuartzNoOpJob>().WithIdentity(name, "bench").Build();
                var trigger = TriggerBuilder.Create().WithIdentity(name, "bench").StartAt(dueTimes[i])
                    .WithSimpleSchedule(s => s.WithRepeatCount(0)).Build();
                jobs.Add(job, [trigger]);
            }

            await scheduler.ScheduleJobs(jobs, default, ct);
        });
        return 0;
    }

    public Task<CompletionSnapshot?> ReadCompletionsAsync(CancellationToken cancellationToken) => Task.FromResult<CompletionSnapshot?>(null);

    public async ValueTask DisposeAsync()
    {
        if (_scheduler is not null)
        {
            await _scheduler.Shutdown(waitForJobsToComplete: true);
        }
    }
}
