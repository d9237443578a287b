using System.Diagnostics;
using System.Globalization;
using MassTransit;
using Npgsql;
using Scheduler.Contracts;
using Scheduler.FaultTests.Records;
using Scheduler.FaultTests.Servers;
using Scheduler.TestSupport;
using Xunit.Abstractions;

namespace Scheduler.FaultTests;

/// <summary>
/// What one fault test runs, all of it its own and removed afterwards (also when the test fails): a private RabbitMQ node, a private
/// PostgreSQL cluster, two scheduler nodes (Scheduler.Host processes "node-1" and "node-2") and two sample Workers ("worker-1" and
/// "worker-2", competing on <see cref="WorkerQueue"/>). Timings are short but safe for a loaded 2-core machine: a 10 s lease, 20 s
/// ExpireAfter, 3 attempts.
/// </summary>
internal sealed class FaultSystem : IAsyncDisposable
{
    public const string WorkerQueue = "faults-worker";
    public const int MaxAttempts = 3;
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan ExpireAfter = TimeSpan.FromSeconds(20);

    /// <summary>Over how long the tasks of a fault test fall due: from 10 s before the fault until long enough after it for most faults to be over.</summary>
    public static readonly TimeSpan Spread = TimeSpan.FromSeconds(50);

    /// <summary>How long the test waits for every task to finish after the last one fell due: minutes, for a loaded machine.</summary>
    public static readonly TimeSpan SettleLimit = TimeSpan.FromMinutes(3);

    private readonly ITestOutputHelper _output;
    private readonly FaultStateDirectory _state;
    private readonly List<(string Name, ServiceProcess Process)> _processes = [];
    private readonly Dictionary<string, ServiceProcess> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ServiceProcess> _workers = new(StringComparer.Ordinal);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly Dictionary<string, Uri> _health = [];
    private readonly IReadOnlyDictionary<string, string> _workerSettings;
    private readonly System.Data.IsolationLevel _isolation;
    private readonly Stopwatch _running = Stopwatch.StartNew();
    private PrivateRabbitMqNode? _broker;
    private PrivateRabbitMqCluster? _brokerCluster;
    private PrivatePostgresCluster? _database;

    private FaultSystem(ITestOutputHelper output, FaultStateDirectory state, IReadOnlyDictionary<string, string> workerSettings,
        System.Data.IsolationLevel isolation)
    {
        _output = output;
        _state = state;
        _workerSettings = workerSettings;
        _isolation = isolation;
    }

    public PrivateRabbitMqNode Broker => _broker!;

    /// <summary>
    /// The three-node RabbitMQ cluster of a system started with <c>brokerCluster: true</c>: its nodes and workers list every member (in
    /// order, so all connect to the first while it runs) and declare quorum queues; <see cref="Broker"/> is the first member.
    /// </summary>
    public PrivateRabbitMqCluster BrokerCluster => _brokerCluster ?? throw new InvalidOperationException("This system has one broker node; start it with brokerCluster: true.");

    public PrivatePostgresCluster Database => _database!;

    /// <summary>When the system was started: the reference instant for the workers' printed times of day.</summary>
    public DateTimeOffset StartedAt { get; } = TimeProvider.System.GetUtcNow();

    /// <summary>How long the test has run, from the start of its servers.</summary>
    public TimeSpan Elapsed => _running.Elapsed;

    /// <summary>The running process of scheduler node <paramref name="nodeId"/> ("node-1" or "node-2").</summary>
    public ServiceProcess Node(string nodeId) => _nodes[nodeId];

    /// <summary>The process of worker <paramref name="name"/> ("worker-1" or "worker-2").</summary>
    public ServiceProcess Worker(string name) => _workers[name];

    /// <summary>
    /// Starts the private broker and database, then the two nodes (their store at <paramref name="isolation"/>: SERIALIZABLE, CockroachDB's only
    /// level, unless a test runs PostgreSQL's default, ReadCommitted) and the two workers (<paramref name="workerSettings"/>: Worker:* keys such as
    /// Worker:HandlerDelay), and returns once all accept work.
    /// </summary>
    public static async Task<FaultSystem> StartAsync(ITestOutputHelper output, IReadOnlyDictionary<string, string>? workerSettings = null,
        System.Data.IsolationLevel isolation = System.Data.IsolationLevel.Serializable, bool brokerCluster = false)
    {
        var system = new FaultSystem(output, await FaultStateDirectory.CreateAsync(), workerSettings ?? new Dictionary<string, string>(), isolation);
        try
        {
            var broker = system.StartBrokerAsync(brokerCluster);
            var database = PrivatePostgresCluster.StartAsync(system._state);
            try
            {
                await Task.WhenAll(broker, database);
            }
            finally
            {
                system._broker = broker.IsCompletedSuccessfully ? broker.Result : null;
                system._database = database.IsCompletedSuccessfully ? database.Result : null;
            }

            output.WriteLine($"[{Now:HH:mm:ss.fff}] private RabbitMQ node {system.Broker.NodeName} on 127.0.0.1:{system.Broker.AmqpPort} and PostgreSQL " +
                $"cluster {system._state.Name} ready after {system.Elapsed.TotalSeconds:F1} s");
            await Task.WhenAll(system.StartNodeAsync("node-1"), system.StartNodeAsync("node-2"),
                system.StartWorkerAsync("worker-1"), system.StartWorkerAsync("worker-2"));
            output.WriteLine($"[{Now:HH:mm:ss.fff}] two nodes (store at {isolation}) and two workers running after {system.Elapsed.TotalSeconds:F1} s");
        }
        catch
        {
            await system.DisposeAsync();
            throw;
        }

        return system;
    }

    /// <summary>
    /// The shape of most fault tests: starts the system (<paramref name="workerSettings"/> for the workers), schedules 1,000 tasks due across the
    /// fault (<see cref="ScheduleAcrossFaultAsync"/>) and ten long ones (30 s handlers that heartbeat) running when it begins, watches what is in
    /// flight (<see cref="FaultWindow"/>) while <paramref name="inject"/> runs the fault (it returns once the fault is over), waits until the
    /// system has recovered by itself (<see cref="WaitForRecoveryAsync"/>: every node ready, every queue consumed by every process again) and
    /// every task is final, checks that each node dispatches new work on time (<see cref="CheckCanariesAsync"/>), and verifies the outcome
    /// (<see cref="FaultVerdict"/>) with what <paramref name="allowance"/> makes of the measured window: no repeat beyond it, and no Warning
    /// logged by any process outside the fault (from its start until recovery).
    /// </summary>
    public static async Task RunAcrossFaultAsync(ITestOutputHelper output, string fault, Func<FaultSystem, Task> inject,
        Func<FaultSystem, FaultWindow, FaultAllowance> allowance, IReadOnlyDictionary<string, string>? workerSettings = null,
        System.Data.IsolationLevel isolation = System.Data.IsolationLevel.Serializable)
    {
        ArgumentNullException.ThrowIfNull(inject);
        ArgumentNullException.ThrowIfNull(allowance);
        await using var system = await StartAsync(output, workerSettings, isolation);
        var schedule = await system.ScheduleAcrossFaultAsync();
        var longOnes = await system.ScheduleAsync(Enumerable.Range(0, 10)
            .Select(i => NewTask(schedule.FaultStart - TimeSpan.FromSeconds(5) + TimeSpan.FromMilliseconds(i)) with
            {
                Metadata = new Dictionary<string, string> { ["delay"] = "00:00:30" },
            }).ToList());
        await DelayUntilAsync(schedule.FaultStart);
        await using var window = await FaultWindow.OpenAsync(system);
        var faultStart = Now;
        system.Log($"fault: {fault}");
        await inject(system);
        var faultEnd = Now;
        system.Log($"fault over after {(faultEnd - faultStart).TotalSeconds:F1} s");
        var recovered = await system.WaitForRecoveryAsync(faultEnd);
        await window.CloseAsync();
        var taskIds = schedule.TaskIds.Concat(longOnes).ToList();
        await system.WaitUntilFinalAsync(taskIds, schedule.LastDue);
        var canaries = await system.CheckCanariesAsync(); // once the backlog the fault left is worked off: what is measured is the node
        await system.WaitUntilFinalAsync(canaries, Now);
        await FaultVerdict.VerifyAsync(system, new FaultExpectation(fault, taskIds, faultStart, faultEnd, allowance(system, window))
        {
            RecoveredAt = recovered,
        }, output);
    }

    /// <summary>How long after a fault ends every process must be consuming again and every node ready: MassTransit's reconnection (attempts
    /// at most 30 s apart) plus its <c>StopTimeout</c> for handlers a connection loss left running (30 s), with room for a loaded machine.</summary>
    public static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Waits until the system has recovered by itself from a fault that ended at <paramref name="faultEnd"/>: every live node answers ready and
    /// every queue of the cluster, and the workers' queue, has one consumer per live process that consumes it. Fails after
    /// <see cref="RecoveryLimit"/>, naming the queues still short of consumers. Returns when it had recovered.
    /// </summary>
    public async Task<DateTimeOffset> WaitForRecoveryAsync(DateTimeOffset faultEnd)
    {
        var endpoints = SchedulerEndpoints.Default;
        string[] nodeQueues = [endpoints.ScheduleTask, endpoints.ScheduleTasks, endpoints.CancelTask, endpoints.TaskControl, endpoints.TaskInstanceSaga,
            endpoints.MessageScheduler, endpoints.ScheduledMessages];
        var missing = "";
        while (Now - faultEnd < RecoveryLimit)
        {
            List<string> nodes;
            int workers;
            lock (_processes)
            {
                nodes = _nodes.Where(n => !n.Value.HasExited).Select(n => n.Key).ToList();
                workers = _workers.Values.Count(w => !w.HasExited);
            }

            try
            {
                var consumers = (await Broker.ListQueuesAsync()).ToDictionary(q => q.Name, q => q.Consumers);
                var short_ = nodeQueues.Select(q => (Queue: q, Want: nodes.Count)).Append((Queue: WorkerQueue, Want: workers))
                    .Where(q => consumers.GetValueOrDefault(q.Queue) < q.Want)
                    .Select(q => $"{q.Queue} {consumers.GetValueOrDefault(q.Queue)} of {q.Want}").ToList();
                var notReady = new List<string>();
                foreach (var node in nodes)
                {
                    if (!await IsReadyAsync(node))
                    {
                        notReady.Add(node);
                    }
                }

                missing = string.Join(", ", short_.Concat(notReady.Select(n => $"{n} not ready")));
                if (missing.Length == 0)
                {
                    var at = Now;
                    Log($"recovered {(at - faultEnd).TotalSeconds:F1} s after the fault ended: every node ready, every queue consumed by every process");
                    return at;
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or HttpRequestException or TaskCanceledException)
            {
                missing = ex.Message; // the broker or a node is still starting
            }

            await Task.Delay(250);
        }

        Assert.Fail($"The system did not recover by itself within {RecoveryLimit.TotalSeconds:F0} s after the fault ended: {missing}.");
        return default;
    }

    /// <summary>The longest a canary may start after its due time: 2 s.</summary>
    public static readonly TimeSpan CanaryLateness = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Checks that every live node dispatches new work on time after a fault: for each node in turn, five canary tasks due 15 s later (after
    /// the execution window) are scheduled, then the other nodes are paused (so that this one must plan, claim and dispatch them), and each
    /// must start in a worker within <see cref="CanaryLateness"/> of its due time.
    /// Returns the canaries' task ids (the caller waits for them to complete).
    /// </summary>
    public async Task<IReadOnlyList<Guid>> CheckCanariesAsync()
    {
        List<string> nodes;
        lock (_processes)
        {
            nodes = _nodes.Where(n => !n.Value.HasExited).Select(n => n.Key).OrderBy(n => n, StringComparer.Ordinal).ToList();
        }

        var all = new List<Guid>();
        foreach (var node in nodes)
        {
            // Scheduled while every node runs (a frozen node would keep the command it prefetched), due after the execution window (10 s), so
            // no node has planned or claimed them yet when the others freeze.
            var due = Now + TimeSpan.FromSeconds(15);
            var ids = await ScheduleAsync(Enumerable.Range(0, 5).Select(i => NewTask(due + TimeSpan.FromMilliseconds(i)) with
            {
                Metadata = new Dictionary<string, string> { ["delay"] = "00:00:00", ["canary"] = node },
            }).ToList());
            var others = nodes.Where(n => n != node).ToList();
            foreach (var other in others)
            {
                await Node(other).PauseAsync();
            }

            try
            {
                Assert.True(Now < due - TimeSpan.FromSeconds(10) + TimeSpan.FromSeconds(1),
                    "the canaries were scheduled too late to be sure that only this node plans and claims them");
                var wanted = ids.ToHashSet();
                var deadline = due + TimeSpan.FromSeconds(30);
                List<WorkerDelivery> started;
                while ((started = Deliveries().Where(d => wanted.Contains(d.TaskId)).ToList()).Count < wanted.Count && Now < deadline)
                {
                    await Task.Delay(100);
                }

                var late = started.Where(d => d.LatenessMs > CanaryLateness.TotalMilliseconds).ToList();
                Log($"canaries of {node}: {started.Count} of {wanted.Count} started, lateness " +
                    string.Join(", ", started.Select(d => d.LatenessMs.ToString("F0", CultureInfo.InvariantCulture) + " ms")));
                Assert.True(started.Select(d => d.TaskId).ToHashSet().SetEquals(wanted),
                    $"{wanted.Count - started.Select(d => d.TaskId).Distinct().Count()} of the five canaries {node} alone had to dispatch had not started 30 s after their due time");
                Assert.True(late.Count == 0, $"canaries of {node} started more than {CanaryLateness.TotalSeconds:F0} s after their due time: " +
                    string.Join(", ", late.Select(d => d.LatenessMs.ToString("F0", CultureInfo.InvariantCulture) + " ms")));
                all.AddRange(ids);
            }
            finally
            {
                foreach (var other in others)
                {
                    await Node(other).ResumeAsync();
                }
            }
        }

        return all;
    }

    /// <summary>Every entry at Warning or above that the nodes and workers logged, the stopped ones' included.</summary>
    public List<LogEntry> Warnings()
    {
        List<(string Name, ServiceProcess Process)> processes;
        lock (_processes)
        {
            processes = [.. _processes];
        }

        return processes.SelectMany(p => LogEntry.WarningsIn(p.Name, p.Process.Lines)).ToList();
    }

    /// <summary>The current time (the clock every process of the test shares).</summary>
    public static DateTimeOffset Now => TimeProvider.System.GetUtcNow();

    /// <summary>Starts (or, after a kill, starts again) scheduler node <paramref name="nodeId"/> as a Scheduler.Host process.</summary>
    public async Task<ServiceProcess> StartNodeAsync(string nodeId)
    {
        var health = new Uri($"http://127.0.0.1:{Shell.FreePort()}");
        var settings = new Dictionary<string, string>
        {
            ["Scheduler__LeaseDuration"] = LeaseDuration.ToString("c", CultureInfo.InvariantCulture),
            ["Scheduler__PollInterval"] = "00:00:00.500",
            ["Health__Urls"] = health.ToString().TrimEnd('/'),
            ["Store__IsolationLevel"] = _isolation.ToString(),
            ["Logging__LogLevel__MassTransit"] = Environment.GetEnvironmentVariable("SCHEDULER_FAULT_MASSTRANSIT_LOG") ?? "Warning",
        };
        AddBrokerClusterSettings(settings, "__");
        var node = await ServiceProcess.StartNodeAsync(Broker.Uri, Database.ConnectionString, nodeId, settings);
        lock (_processes)
        {
            _processes.Add((nodeId, node));
            _nodes[nodeId] = node;
            _health[nodeId] = health;
        }

        return node;
    }

    /// <summary>Whether node <paramref name="nodeId"/> answers <c>GET /health/ready</c> with 200 (ready) rather than 503 (not ready).</summary>
    public async Task<bool> IsReadyAsync(string nodeId)
    {
        Uri health;
        lock (_processes)
        {
            health = _health[nodeId];
        }

        using var response = await Http.GetAsync(new Uri(health, "/health/ready"));
        return response.StatusCode == System.Net.HttpStatusCode.OK;
    }

    /// <summary>A task due at <paramref name="dueAt"/> for the workers' queue, with the suite's ExpireAfter and retry policy.</summary>
    public static ScheduleTask NewTask(DateTimeOffset dueAt) => new()
    {
        TaskId = Guid.NewGuid(),
        Trigger = dueAt.ToString("O", CultureInfo.InvariantCulture),
        TriggerKind = TriggerKind.Once,
        ExpireAfter = ExpireAfter,
        Retry = new RetryPolicy { MaxAttempts = MaxAttempts, InitialBackoff = TimeSpan.FromSeconds(1), MaxBackoff = TimeSpan.FromSeconds(5) },
        DestinationQueue = WorkerQueue,
    };

    /// <summary>
    /// Schedules <paramref name="count"/> tasks due evenly over <see cref="Spread"/>, the first 20 s from now (room for scheduling and
    /// claiming on a loaded machine); the test injects its fault at <see cref="Schedule.FaultStart"/>, 10 s into the spread.
    /// </summary>
    public async Task<Schedule> ScheduleAcrossFaultAsync(int count = 1000)
    {
        var first = Now + TimeSpan.FromSeconds(20);
        var span = Spread;
        var ids = await ScheduleAsync(Tasks(count, first, span));
        return new Schedule(ids, first, first + span, first + TimeSpan.FromSeconds(10));
    }

    /// <summary><paramref name="count"/> tasks due evenly from <paramref name="first"/> over <paramref name="spread"/>.</summary>
    public static List<ScheduleTask> Tasks(int count, DateTimeOffset first, TimeSpan spread) =>
        Enumerable.Range(0, count).Select(i => NewTask(first + (spread * i / count))).ToList();

    /// <summary>
    /// Schedules <paramref name="tasks"/> over the bus, as any client would: bulk <see cref="ScheduleTasks"/> commands of up to 1,000 tasks,
    /// answered by a node. Fails unless every task is scheduled; returns the task ids.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> ScheduleAsync(IReadOnlyList<ScheduleTask> tasks)
    {
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(Broker.Uri));
        await bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        try
        {
            var client = bus.CreateRequestClient<ScheduleTasks>(SchedulerEndpoints.Address(SchedulerEndpoints.Default.ScheduleTasks, quorum: _brokerCluster is not null),
                RequestTimeout.After(m: 2));
            var ids = new List<Guid>();
            foreach (var chunk in tasks.Chunk(1000))
            {
                var response = await client.GetResponse<TasksScheduled, TasksRejected>(new ScheduleTasks { Tasks = chunk });
                if (response.Is(out Response<TasksRejected>? rejected))
                {
                    throw new InvalidOperationException($"The node rejected the bulk command: {rejected!.Message.Reason}");
                }

                Assert.True(response.Is(out Response<TasksScheduled>? scheduled), "the bulk command is answered TasksScheduled");
                var results = scheduled!.Message.Results;
                var refused = results.Where(r => r.Scheduled is null).Select(r => r.Rejected?.Reason).ToList();
                Assert.True(refused.Count == 0, $"{refused.Count} tasks rejected, e.g. {refused.FirstOrDefault()}");
                ids.AddRange(results.Select(r => r.Scheduled!.TaskId));
            }

            _output.WriteLine($"[{Now:HH:mm:ss.fff}] scheduled {ids.Count} tasks due {tasks.Min(t => t.Trigger)} .. {tasks.Max(t => t.Trigger)}");
            return ids;
        }
        finally
        {
            await bus.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        }
    }

    /// <summary>Waits until <paramref name="instant"/> (to line a fault up with the tasks' due times).</summary>
    public static async Task DelayUntilAsync(DateTimeOffset instant)
    {
        var wait = instant - Now;
        if (wait > TimeSpan.Zero)
        {
            await System.Threading.Tasks.Task.Delay(wait);
        }
    }

    /// <summary>
    /// Polls the database every 500 ms until <paramref name="condition"/> holds (a failing read, e.g. during a database restart, counts as
    /// "not yet"); fails after <paramref name="limit"/>.
    /// </summary>
    public async Task UntilAsync(Func<NpgsqlConnection, Task<bool>> condition, string because, TimeSpan limit)
    {
        var start = TimeProvider.System.GetTimestamp();
        while (true)
        {
            try
            {
                await using var connection = await Database.OpenAsync();
                if (await condition(connection))
                {
                    return;
                }
            }
            catch (NpgsqlException)
            {
                // The database is restarting: try again.
            }

            if (TimeProvider.System.GetElapsedTime(start) > limit)
            {
                Assert.Fail($"Not reached within {limit.TotalSeconds:F0} s: {because}.");
            }

            await System.Threading.Tasks.Task.Delay(500);
        }
    }

    /// <summary>
    /// Waits until every instance of <paramref name="taskIds"/> is final (Completed, Failed or Cancelled), printing progress every 15 s;
    /// gives up <see cref="SettleLimit"/> after <paramref name="lastDue"/> and then returns (the verification names what is left).
    /// </summary>
    public async Task WaitUntilFinalAsync(IReadOnlyCollection<Guid> taskIds, DateTimeOffset lastDue)
    {
        var ids = taskIds.ToArray();
        var deadline = lastDue + SettleLimit;
        var lastReport = DateTimeOffset.MinValue;
        while (true)
        {
            Dictionary<int, long>? counts = null;
            try
            {
                await using var connection = await Database.OpenAsync();
                await using var command = new NpgsqlCommand(
                    "SELECT status, count(*) FROM task_instances WHERE definition_id = ANY(@ids) GROUP BY status", connection);
                command.Parameters.AddWithValue("ids", ids);
                await using var reader = await command.ExecuteReaderAsync();
                counts = [];
                while (await reader.ReadAsync())
                {
                    counts[reader.GetInt32(0)] = reader.GetInt64(1);
                }
            }
            catch (NpgsqlException)
            {
                // The database is restarting: try again.
            }

            if (counts is not null)
            {
                var final = counts.Where(c => c.Key is InstanceRow.Completed or InstanceRow.Failed or InstanceRow.Cancelled).Sum(c => c.Value);
                if (final >= ids.Length || Now > deadline || Now - lastReport > TimeSpan.FromSeconds(15))
                {
                    _output.WriteLine($"[{Now:HH:mm:ss.fff}] " + string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{InstanceRow.StatusName(c.Key)} {c.Value}")));
                    lastReport = Now;
                }

                if (final >= ids.Length)
                {
                    return;
                }
            }

            if (Now > deadline)
            {
                _output.WriteLine($"[{Now:HH:mm:ss.fff}] gave up waiting {SettleLimit.TotalMinutes:F0} min after the last due time");
                return;
            }

            await System.Threading.Tasks.Task.Delay(500);
        }
    }

    /// <summary>The instances of <paramref name="taskIds"/>.</summary>
    public async Task<List<InstanceRow>> ReadInstancesAsync(IReadOnlyCollection<Guid> taskIds)
    {
        await using var connection = await Database.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT id, definition_id, status, attempt, max_attempts, fire_time, lease_owner, dispatched_at, completed_at, last_error " +
            "FROM task_instances WHERE definition_id = ANY(@ids)", connection);
        command.Parameters.AddWithValue("ids", taskIds.ToArray());
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<InstanceRow>();
        while (await reader.ReadAsync())
        {
            rows.Add(new InstanceRow(reader.GetGuid(0), reader.GetGuid(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4),
                reader.GetFieldValue<DateTimeOffset>(5), reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7), reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
                reader.IsDBNull(9) ? null : reader.GetString(9)));
        }

        return rows;
    }

    /// <summary>
    /// The instances in <paramref name="statuses"/>, held by <paramref name="leaseOwner"/> if given: taken while the writers concerned are
    /// stopped (killed or paused), it is exactly what they held.
    /// </summary>
    public async Task<HashSet<Guid>> InstancesAsync(int[] statuses, string? leaseOwner = null)
    {
        await using var connection = await Database.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT id FROM task_instances WHERE status = ANY(@statuses) AND (@owner::text IS NULL OR lease_owner = @owner)", connection);
        command.Parameters.AddWithValue("statuses", statuses);
        command.Parameters.AddWithValue("owner", (object?)leaseOwner ?? DBNull.Value);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new HashSet<Guid>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }

    /// <summary>Every TaskDue the workers printed, the killed ones' included.</summary>
    public List<WorkerDelivery> Deliveries()
    {
        List<ServiceProcess> workers;
        lock (_processes)
        {
            workers = _processes.Where(p => _workers.ContainsKey(p.Name)).Select(p => p.Process).ToList();
        }

        return workers.SelectMany(w => WorkerDelivery.Parse(w.Lines, StartedAt)).ToList();
    }

    /// <summary>Writes a line to the test's output, stamped with the time.</summary>
    public void Log(string message) => _output.WriteLine($"[{Now:HH:mm:ss.fff}] {message}");

    public async ValueTask DisposeAsync()
    {
        List<(string Name, ServiceProcess Process)> processes;
        lock (_processes)
        {
            processes = [.. _processes];
        }

        foreach (var (_, process) in processes)
        {
            await process.DisposeAsync();
        }

        var logs = Environment.GetEnvironmentVariable("SCHEDULER_FAULT_LOGS");
        foreach (var (name, process) in processes)
        {
            var lines = process.Lines;
            if (!string.IsNullOrEmpty(logs))
            {
                Directory.CreateDirectory(logs);
                await File.WriteAllLinesAsync(Path.Combine(logs, $"{name}-{processes.IndexOf((name, process))}.log"), lines);
            }

            var shown = lines.Where(l => !l.Contains("] task ", StringComparison.Ordinal)).TakeLast(40).ToList();
            _output.WriteLine($"--- {name}: last {shown.Count} of {lines.Count} lines (deliveries left out) ---\n" + string.Join('\n', shown));
        }

        try
        {
            if (_brokerCluster is not null)
            {
                await _brokerCluster.DisposeAsync();
            }
            else if (_broker is not null)
            {
                await _broker.DisposeAsync();
            }
        }
        finally
        {
            try
            {
                if (_database is not null)
                {
                    await _database.DisposeAsync();
                }
            }
            finally
            {
                _state.Dispose();
            }
        }
    }

    private async Task StartWorkerAsync(string name)
    {
        var settings = new Dictionary<string, string>(_workerSettings)
        {
            ["Worker:OwnTasksOnly"] = "true",
            ["Logging:LogLevel:MassTransit"] = Environment.GetEnvironmentVariable("SCHEDULER_FAULT_MASSTRANSIT_LOG") ?? "Warning",
            ["Logging:LogLevel:MassTransit.ReceiveTransport"] = Environment.GetEnvironmentVariable("SCHEDULER_FAULT_MASSTRANSIT_LOG") ?? "Critical",
        };
        AddBrokerClusterSettings(settings, ":");
        var worker = await ServiceProcess.StartWorkerAsync(Broker.Uri, name, WorkerQueue, settings);
        lock (_processes)
        {
            _processes.Add((name, worker));
            _workers[name] = worker;
        }
    }

    /// <summary>One broker node, or the three members of a cluster (<see cref="BrokerCluster"/>) whose first is <see cref="Broker"/>.</summary>
    private async Task<PrivateRabbitMqNode> StartBrokerAsync(bool cluster)
    {
        if (!cluster)
        {
            return await PrivateRabbitMqNode.StartAsync(_state);
        }

        _brokerCluster = await PrivateRabbitMqCluster.StartAsync(_state);
        return _brokerCluster.Nodes[0];
    }

    /// <summary>On a cluster: every member, in order (Transport:RabbitMq:ClusterNodes), and quorum queues; <paramref name="separator"/> is
    /// "__" for environment variables, ":" for arguments.</summary>
    private void AddBrokerClusterSettings(Dictionary<string, string> settings, string separator)
    {
        if (_brokerCluster is null)
        {
            return;
        }

        var prefix = $"Transport{separator}RabbitMq{separator}";
        for (var i = 0; i < _brokerCluster.ClusterNodes.Count; i++)
        {
            settings[$"{prefix}ClusterNodes{separator}{i}"] = _brokerCluster.ClusterNodes[i];
        }

        settings[prefix + "QueueType"] = "Quorum";
    }
}
