using System.Globalization;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;

namespace Scheduler.Benchmarks.Systems;

/// <summary>
/// Hangfire 1.8 on Hangfire.PostgreSql: a <see cref="BackgroundJobServer"/> in this process, <see cref="HangfireNoOpJob"/> scheduled with
/// <c>BackgroundJobClient.Schedule</c> at the due instant. Completion recorded = the <c>Succeeded</c> rows of Hangfire's <c>state</c> table.
/// </summary>
internal sealed class HangfireSystem(BenchOptions options) : IBenchSystem
{
    private string Database => $"{options.Instance}_hangfire";
    private const string Schema = "hangfire";
    private const int ClientParallelism = 16;
    private string _connectionString = "";
    private PostgreSqlStorage? _storage;
    private BackgroundJobServer? _server;
    private BackgroundJobClient? _client;

    public string Name => "hangfire";

    public string Settings => string.Create(CultureInfo.InvariantCulture,
        $"Hangfire.Core 1.8.25 + Hangfire.PostgreSql 1.21.1, database `{Database}`; 1 BackgroundJobServer in this process, {options.HangfireWorkers} "
        + $"workers, SchedulePollingInterval {options.HangfirePoll.TotalMilliseconds:F0} ms (default 15 s), QueuePollInterval "
        + $"{options.HangfirePoll.TotalMilliseconds:F0} ms with long polling (LISTEN/NOTIFY) on; compatibility level 1.8 with the recommended "
        + $"serializer settings; `BackgroundJobClient.Schedule` from {ClientParallelism} threads; static no-op method.");

    public double InitialScheduleRateGuess => 300;

    public bool SchedulesAhead => true;

    public string CompletionSource => $"`SELECT count(*), max(createdat) FROM {Schema}.state WHERE name = 'Succeeded'`";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _connectionString = await PostgresAdmin.RecreateAsync(options.Postgres, Database, cancellationToken);
        GlobalConfiguration.Configuration
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings();
        var storageOptions = new PostgreSqlStorageOptions
        {
            SchemaName = Schema,
            PrepareSchemaIfNecessary = true,
            QueuePollInterval = options.HangfirePoll,
            EnableLongPolling = true,
        };
        _storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(_connectionString, storageOptions), storageOptions);
        _client = new BackgroundJobClient(_storage);
        _server = new BackgroundJobServer(new BackgroundJobServerOptions
        {
            WorkerCount = options.HangfireWorkers,
            SchedulePollingInterval = options.HangfirePoll,
            ServerName = "bench",
        }, _storage);
        await Task.CompletedTask;
    }

    public Task ResetAsync(CancellationToken cancellationToken) => PostgresAdmin.ExecuteAsync(_connectionString,
        $"TRUNCATE {Schema}.job, {Schema}.state, {Schema}.jobparameter, {Schema}.jobqueue, {Schema}.set, {Schema}.counter, "
        + $"{Schema}.aggregatedcounter, {Schema}.hash, {Schema}.list CASCADE", cancellationToken);

    public async Task<int> ScheduleAsync(string runId, IReadOnlyList<DateTimeOffset> dueTimes, CancellationToken cancellationToken)
    {
        var client = _client ?? throw new InvalidOperationException("Not started.");
        await Parallel.ForEachAsync(Enumerable.Range(0, dueTimes.Count),
            new ParallelOptions { MaxDegreeOfParallelism = ClientParallelism, CancellationToken = cancellationToken }, (i, _) =>
            {
                client.Schedule(() => HangfireNoOpJob.Run(runId, i), dueTimes[i]);
                return ValueTask.CompletedTask;
            });
        return 0;
    }

    public async Task<CompletionSnapshot?> ReadCompletionsAsync(CancellationToken cancellationToken) =>
        await PostgresAdmin.ReadCountAndMaxAsync(_connectionString, $"SELECT count(*), max(createdat) FROM {Schema}.state WHERE name = 'Succeeded'",
            cancellationToken);

    public ValueTask DisposeAsync()
    {
        _server?.SendStop();
        _server?.Dispose();
        return ValueTask.CompletedTask;
    }
}
