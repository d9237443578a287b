using System.Globalization;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Scheduler.Contracts;
using Scheduler.Core.Runtime;
using Scheduler.Core.Storage;
using Scheduler.EntityFrameworkCore;
using Scheduler.MassTransit;
using Scheduler.MassTransit.Node;

namespace Scheduler.Benchmarks.Systems;

/// <summary>
/// Our scheduler through its public API only: <c>nodes</c> scheduler nodes (PostgreSQL store at its default isolation, default <see cref="SchedulerOptions"/>),
/// one worker (<see cref="NoOpConsumer"/> on its own queue, with task reporting) and a client that sends <see cref="ScheduleTask"/> with a
/// request client, each its own host and bus. Completion recorded = <c>task_instances.completed_at</c> of Completed (status 2) instances.
/// </summary>
/// <remarks>With <c>embedded</c>, the README's "Install" shape instead: one node and the worker in one host on one bus (the client still its own).</remarks>
internal sealed class SchedulerSystem(BenchOptions options, BrokerTarget broker, WarningLog log, int nodes = 1, bool embedded = false) : IBenchSystem
{
    public const string WorkerQueue = "bench-worker";
    private string Database => $"{options.Instance}_scheduler";
    private static readonly SchedulerOptions Defaults = new();
    private string _connectionString = "";
    private readonly List<IHost> _nodes = [];
    private IHost? _worker;
    private IHost? _client;
    private IRequestClient<ScheduleTask>? _requests;
    private IRequestClient<ScheduleTasks>? _bulkRequests;
    private readonly ReportMessageCounter _reportMessages = new();

    public string Name => embedded ? "scheduler (node + worker in one host)" : nodes == 1 ? "scheduler" : $"scheduler ({nodes} nodes)";

    public string Settings => string.Create(CultureInfo.InvariantCulture,
        $"{(embedded ? "1 node and 1 worker in one host on one bus, + 1 client on its own bus" : $"{nodes} node{(nodes == 1 ? "" : "s")} + 1 worker + 1 client in this process, each its own bus")}; PostgreSQL store (`UsePostgres`, default isolation ReadCommitted), "
        + $"database `{Database}`; node options at their defaults (execution window {Defaults.ExecutionWindow.TotalSeconds:F0} s, poll "
        + $"{Defaults.PollInterval.TotalSeconds:F0} s, claim batch {Defaults.ClaimBatchSize}, {Defaults.MaxConcurrentDispatches} dispatches in flight); "
        + $"worker `AddTaskConsumer<NoOpConsumer>(\"{WorkerQueue}\", ownTasksOnly: true)` + `AddTaskReporting()`; prefetch {broker.Prefetch}; "
        + $"{(broker.QuorumQueues ? "quorum" : "classic")} queues; "
        + $"ScheduleTask by request client, {options.InFlight} in flight, execute-once ISO-8601 trigger, `DestinationQueue = \"{WorkerQueue}\"`.");

    public double InitialScheduleRateGuess => 150;

    public bool SchedulesAhead => true;

    public string CompletionSource => "`SELECT count(*), max(completed_at) FROM task_instances WHERE status = 2`";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _connectionString = await PostgresAdmin.RecreateAsync(options.Postgres, Database, cancellationToken);
        for (var i = 1; i <= nodes; i++)
        {
            _nodes.Add(await BenchHost.StartAsync(nodes == 1 ? "node" : $"node{i}", log, services => services.AddMassTransit(x =>
            {
                if (broker.QuorumQueues)
                {
                    x.AddSingleton<ITaskDispatcher>(sp => new MassTransitTaskDispatcher(sp.GetRequiredService<IBus>(), sp.GetRequiredService<TimeProvider>(), quorumQueues: true));
                }

                x.AddSchedulerNode().UsePostgres(_connectionString);
                if (embedded)
                {
                    AddWorker(x);
                }

                x.UseBenchBus(broker);
            }), cancellationToken));
        }

        if (!embedded)
        {
            _worker = await BenchHost.StartAsync("worker", log, services => services.AddMassTransit(x =>
            {
                AddWorker(x);
                x.UseBenchBus(broker);
            }), cancellationToken);
        }


        _client = await BenchHost.StartAsync("client", log, services => services.AddMassTransit(x =>
        {
            // Sent to the default cluster's queues (SchedulerEndpoints), as a client of a node that names no cluster.
            x.AddRequestClient<ScheduleTask>(SchedulerEndpoints.Address(SchedulerEndpoints.Default.ScheduleTask, broker.QuorumQueues), RequestTimeout.After(s: 120));
            x.AddRequestClient<ScheduleTasks>(SchedulerEndpoints.Address(SchedulerEndpoints.Default.ScheduleTasks, broker.QuorumQueues), RequestTimeout.After(s: 300));
            x.UseBenchBus(broker);
        }), cancellationToken);
        _requests = _client.Services.GetRequiredService<IRequestClient<ScheduleTask>>();
        _bulkRequests = _client.Services.GetRequiredService<IRequestClient<ScheduleTasks>>();
    }

    private static void AddWorker(IBusRegistrationConfigurator x)
    {
        x.AddTaskConsumer<NoOpConsumer>(WorkerQueue, ownTasksOnly: true);
        x.AddTaskReporting();
    }

    public Task ResetAsync(CancellationToken cancellationToken) =>
        PostgresAdmin.ExecuteAsync(_connectionString, "TRUNCATE task_instances, task_definitions", cancellationToken);

    public async Task<int> ScheduleAsync(string runId, IReadOnlyList<DateTimeOffset> dueTimes, CancellationToken cancellationToken)
    {
        var requests = _requests ?? throw new InvalidOperationException("Not started.");
        var rejected = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, dueTimes.Count),
            new ParallelOptions { MaxDegreeOfParallelism = options.InFlight, CancellationToken = cancellationToken }, async (i, ct) =>
            {
                var response = await requests.GetResponse<TaskScheduled, TaskRejected>(Command(runId, i, Iso(dueTimes[i])), ct);
                if (response.Is(out Response<TaskRejected>? rejection))
                {
                    if (Interlocked.Increment(ref rejected) <= 3)
                    {
                        Console.Error.WriteLine($"scheduler rejected task {i}: {rejection!.Message.Reason}");
                    }
                }
            });
        return rejected;
    }

    /// <summary>The same tasks through the bulk command: <see cref="ScheduleTasks"/> of 1,000 tasks each, 4 in flight, answered per task.</summary>
    public async Task<double?> MeasureBulkIntakeAsync(string runId, IReadOnlyList<DateTimeOffset> dueTimes, CancellationToken cancellationToken)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var accepted = await ScheduleInBulkAsync(dueTimes.Count, i => Command(runId, i, Iso(dueTimes[i])), cancellationToken);
        return accepted / watch.Elapsed.TotalSeconds;
    }

    /// <summary>Workload R: the recurring tasks through the bulk command, as <see cref="MeasureBulkIntakeAsync"/> sends them.</summary>
    public async Task<int?> ScheduleRecurringAsync(string runId, int count, CancellationToken cancellationToken) =>
        count - await ScheduleInBulkAsync(count, i => Command(runId, i, "* * * * *"), cancellationToken);

    /// <summary>Sends tasks 0 to <paramref name="count"/> − 1 as <see cref="ScheduleTasks"/> of 1,000 tasks, 4 in flight; returns how many were
    /// scheduled.</summary>
    private async Task<int> ScheduleInBulkAsync(int count, Func<int, ScheduleTask> task, CancellationToken cancellationToken)
    {
        var requests = _bulkRequests ?? throw new InvalidOperationException("Not started.");
        var accepted = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, count).Chunk(1000), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
            async (chunk, ct) =>
            {
                var response = await requests.GetResponse<TasksScheduled>(new ScheduleTasks { Tasks = chunk.Select(task).ToList() }, ct);
                Interlocked.Add(ref accepted, response.Message.Results.Count(r => r.Scheduled is not null));
            });
        return accepted;
    }

    /// <summary>Workload B: both tables with their indexes and TOAST, after <c>ANALYZE</c> (what autovacuum does to a table that grew).</summary>
    public async Task<long?> MeasureStoreBytesAsync(CancellationToken cancellationToken)
    {
        await PostgresAdmin.ExecuteAsync(_connectionString, "ANALYZE task_definitions, task_instances", cancellationToken);
        return await PostgresAdmin.ScalarAsync<long>(_connectionString,
            "SELECT pg_total_relation_size('task_definitions') + pg_total_relation_size('task_instances')", cancellationToken);
    }

    /// <summary>Workload B: every task made finished two days ago (cancelled then, no next fire time: past the default retention of one
    /// day), then the first node's store cleaned with <see cref="ICleanupStore.CleanupAsync"/> in batches of the cleanup loop's size until
    /// nothing is left; returns rows deleted per second of that cleanup.</summary>
    public async Task<double?> MeasureCleanupAsync(CancellationToken cancellationToken)
    {
        await PostgresAdmin.ExecuteAsync(_connectionString,
            "UPDATE task_definitions SET next_fire_time = NULL, cancelled_at = now() - interval '2 days'", cancellationToken);
        var store = _nodes[0].Services.GetRequiredService<ITaskStore>();
        var request = new CleanupRequest { FinishedBefore = TimeProvider.System.GetUtcNow() - Defaults.Retention, MaxCount = Defaults.CleanupBatchSize };
        var watch = System.Diagnostics.Stopwatch.StartNew();
        long deleted = 0;
        while ((await store.CleanupAsync(request, cancellationToken)) is { } r && r.Instances + r.Definitions > 0)
        {
            deleted += r.Instances + r.Definitions;
        }

        return deleted / watch.Elapsed.TotalSeconds;
    }

    private static string Iso(DateTimeOffset dueTime) => dueTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static ScheduleTask Command(string runId, int index, string trigger) => new()
    {
        Trigger = trigger,
        DestinationQueue = WorkerQueue,
        Metadata = new Dictionary<string, string>
        {
            [NoOpConsumer.RunKey] = runId,
            [NoOpConsumer.IndexKey] = index.ToString(CultureInfo.InvariantCulture),
        },
    };

    public async Task<CompletionSnapshot?> ReadCompletionsAsync(CancellationToken cancellationToken) =>
        await PostgresAdmin.ReadCountAndMaxAsync(_connectionString, "SELECT count(*), max(completed_at) FROM task_instances WHERE status = 2",
            cancellationToken);

    /// <summary>The worker's report messages (<c>scheduler.worker.reports.batch.size</c>) since the last call: with one <c>TaskDue</c> per task,
    /// the messages per task after it is due are 1 + report messages / tasks.</summary>
    public string? TakeWireNote(int tasks)
    {
        var (messages, reports) = _reportMessages.Take();
        return tasks == 0 ? null : string.Create(CultureInfo.InvariantCulture,
            $"{messages:N0} report messages carried {reports:N0} reports ({(messages == 0 ? 0 : (double)reports / messages):F1} per message): {1 + ((double)messages / tasks):F2} messages per task after it is due");
    }

    public async ValueTask DisposeAsync()
    {
        _reportMessages.Dispose();
        // Client and worker first, then the node (it releases its claims while the bus still runs).
        await BenchHost.StopAsync(_client);
        await BenchHost.StopAsync(_worker);
        foreach (var node in _nodes)
        {
            await BenchHost.StopAsync(node);
        }
    }
}
