using System.Collections.Concurrent;
using System.Data;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Runtime;
using Scheduler.Core.Storage;
using Scheduler.EntityFrameworkCore;
using Scheduler.MassTransit;
using Scheduler.MassTransit.Node;
using Xunit.Abstractions;

namespace Scheduler.IntegrationTests.Bus;

/// <summary>
/// The services of one bus test, each an <see cref="IHost"/> with its own bus connection to the test class's virtual host: scheduler nodes
/// (on the test class's PostgreSQL database at <see cref="NodeIsolationLevel"/>), workers (an <c>IConsumer&lt;TaskDue&gt;</c> with task reporting; workers share
/// one queue, so they compete) and a client that schedules tasks and records the events it subscribes to. Disposing stops and disposes
/// every host, also when the test failed.
/// </summary>
internal sealed class BusServices : IAsyncDisposable
{
    /// <summary>The queue the workers' <see cref="WorkerTaskDueConsumer"/> listens on, the destination of the tests' tasks.</summary>
    public const string WorkerQueue = "worker";

    private readonly BusEnvironmentFixture _environment;
    private readonly ITestOutputHelper _output;
    private readonly List<IHost> _hosts = [];
    private readonly Lazy<ITaskStore> _store;
    private readonly string _connectionString;
    private IHost? _clientHost;

    /// <param name="environment">The test class's virtual host and database.</param>
    /// <param name="output">Receives the services' warnings.</param>
    /// <param name="clusterName">The nodes' <see cref="SchedulerOptions.ClusterName"/>; the client sends its commands to that cluster's queues.</param>
    /// <param name="connectionString">The nodes' database; default the test class's.</param>
    public BusServices(BusEnvironmentFixture environment, ITestOutputHelper output, string clusterName = SchedulerEndpoints.DefaultClusterName,
        string? connectionString = null)
    {
        _environment = environment;
        _output = output;
        Endpoints = new SchedulerEndpoints(clusterName);
        _connectionString = connectionString ?? environment.Database.ConnectionString;
        _store = new Lazy<ITaskStore>(() => StoreFactory.Create(_connectionString, PostgresDatabaseFixture.Options));
        output.WriteLine($"Scheduler nodes of this test: PostgreSQL at {NodeIsolationLevel} ({IsolationVariable})");
    }

    /// <summary>The queues of the nodes' cluster, to which the client sends.</summary>
    public SchedulerEndpoints Endpoints { get; }

    /// <summary>What the workers' handlers and the client's consumers received, across all hosts of this test.</summary>
    public Recorder Recorder { get; } = new();

    /// <summary>Every dispatch of every node: which node handed out which (instance, attempt).</summary>
    public DispatchLedger Ledger { get; } = new();

    /// <summary>Releases the workers' hanging handlers.</summary>
    public HangRelease HangRelease { get; } = new();

    /// <summary>Ends the scripted failures of "fail-until-fixed" handlers.</summary>
    public HandlerFix HandlerFix { get; } = new();

    /// <summary>The Warnings and Errors the hosts of this test logged; a test that provokes one allows it here (<see cref="HostLogs.Allow"/>).</summary>
    public HostLogs Logs => HostLogs.For(_output);

    /// <summary>A reader of the test database (the product's store, used for reads only).</summary>
    public ITaskStore Store => _store.Value;

    /// <summary>Defaults of the test nodes: short polls and leases, so recovery paths take seconds.</summary>
    public static void TestNodeDefaults(SchedulerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PollInterval = TimeSpan.FromMilliseconds(200);
        options.ExecutionWindow = TimeSpan.FromSeconds(5);
        options.LeaseDuration = TimeSpan.FromSeconds(3);
    }

    /// <summary>The environment variable that sets <see cref="NodeIsolationLevel"/>.</summary>
    public const string IsolationVariable = "SCHEDULER_TEST_ISOLATION";

    /// <summary>
    /// The nodes' isolation level, in process and as Scheduler.Host processes (<see cref="NodeProcessSettings"/>): SERIALIZABLE (CockroachDB's
    /// only level) unless SCHEDULER_TEST_ISOLATION names another. scripts/test.sh runs these tests at both Serializable and ReadCommitted
    /// (PostgreSQL's default, what a node runs unless <c>Store:IsolationLevel</c> says otherwise).
    /// </summary>
    public static IsolationLevel NodeIsolationLevel { get; } = ReadIsolationLevel();

    /// <summary>The settings of a Scheduler.Host process that is a node of this test: <paramref name="settings"/> plus
    /// <c>Store__IsolationLevel</c> = <see cref="NodeIsolationLevel"/>.</summary>
    public static Dictionary<string, string> NodeProcessSettings(Dictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings["Store__IsolationLevel"] = NodeIsolationLevel.ToString();
        return settings;
    }

    private static IsolationLevel ReadIsolationLevel()
    {
        var configured = Environment.GetEnvironmentVariable(IsolationVariable);
        if (string.IsNullOrEmpty(configured))
        {
            return IsolationLevel.Serializable;
        }

        return Enum.TryParse<IsolationLevel>(configured, out var level) && level is IsolationLevel.Serializable or IsolationLevel.RepeatableRead or IsolationLevel.ReadCommitted
            ? level
            : throw new InvalidOperationException($"{IsolationVariable}='{configured}' is not an isolation level PostgreSQL offers. Use Serializable, RepeatableRead or ReadCommitted, or unset it (Serializable).");
    }

    /// <summary>Starts a scheduler node whose dispatches are recorded in <see cref="Ledger"/> under <paramref name="nodeId"/>.</summary>
    /// <param name="nodeId">The node's id.</param>
    /// <param name="configure">Changes the node's options after <see cref="TestNodeDefaults"/>.</param>
    /// <param name="connectionString">The node's database; default the test class's.</param>
    /// <param name="configureStore">Changes the store's options after the test isolation level.</param>
    public Task<IHost> StartNodeAsync(string nodeId, Action<SchedulerOptions>? configure = null, string? connectionString = null,
        Action<EfTaskStoreOptions>? configureStore = null) => StartAsync(services =>
    {
        services.AddMassTransit(x =>
        {
            x.AddSchedulerNode(o =>
                {
                    TestNodeDefaults(o);
                    o.ClusterName = Endpoints.ClusterName;
                    configure?.Invoke(o);
                    o.NodeId = nodeId;
                })
                .UsePostgres(connectionString ?? _connectionString, o =>
                {
                    o.IsolationLevel = NodeIsolationLevel;
                    configureStore?.Invoke(o);
                });
            UseBroker(x);
        });
        services.AddSingleton<MassTransitTaskDispatcher>();
        services.AddSingleton<ITaskDispatcher>(sp => new LedgerDispatcher(nodeId, sp.GetRequiredService<MassTransitTaskDispatcher>(), Ledger));
    });

    /// <summary>Starts a worker service: <see cref="WorkerTaskDueConsumer"/> on <paramref name="queue"/>, with task reporting.</summary>
    /// <param name="name">Recorded with every receipt.</param>
    /// <param name="queue">The worker's queue; workers on one queue compete.</param>
    /// <param name="ownTasksOnly">Whether the queue receives only tasks sent to it (the default), or broadcast <see cref="TaskDue"/> too.</param>
    /// <param name="heartbeats">Whether the worker heartbeats while a handler runs; off, a hanging handler is a dead worker.</param>
    public Task<IHost> StartWorkerAsync(string name, string queue = WorkerQueue, bool ownTasksOnly = true, bool heartbeats = true) => StartAsync(services =>
    {
        services.AddSingleton(new WorkerIdentity(name));
        services.AddMassTransit(x =>
        {
            x.AddTaskConsumer<WorkerTaskDueConsumer>(queue, ownTasksOnly);
            x.AddTaskReporting(o => o.Heartbeats = heartbeats);
            UseBroker(x);
        });
    });

    /// <summary>Starts a service of the test's own making on the broker: <paramref name="configure"/> registers its consumers and whatever else
    /// it needs inside <c>AddMassTransit</c>; the bus is the test's RabbitMQ virtual host, its endpoints configured by <c>ConfigureEndpoints</c>
    /// after <paramref name="configureBus"/>.</summary>
    public Task<IHost> StartServiceAsync(Action<IBusRegistrationConfigurator> configure, Action<IRabbitMqBusFactoryConfigurator>? configureBus = null) =>
        StartAsync(services => services.AddMassTransit(x =>
        {
            configure(x);
            UseBroker(x, configureBus);
        }));

    /// <summary>The services of the client started by <see cref="StartClientAsync"/> (its request clients).</summary>
    public IServiceProvider ClientServices => _clientHost?.Services ?? throw new InvalidOperationException("Start the client first.");

    /// <summary>The request client for bulk <see cref="ScheduleTasks"/> commands of the client started by <see cref="StartClientAsync"/>.</summary>
    public IRequestClient<ScheduleTasks> BulkClient =>
        _clientHost?.Services.GetRequiredService<IRequestClient<ScheduleTasks>>() ?? throw new InvalidOperationException("Start the client first.");

    /// <summary>The typed <see cref="ISchedulerClient"/> of the client started by <see cref="StartClientAsync"/>.</summary>
    public ISchedulerClient SchedulerClient =>
        _clientHost?.Services.GetRequiredService<ISchedulerClient>() ?? throw new InvalidOperationException("Start the client first.");

    /// <summary>Starts the client: request clients for <see cref="ScheduleTask"/> (returned) and <see cref="ScheduleTasks"/>
    /// (<see cref="BulkClient"/>), and a consumer recording the scheduler's events.</summary>
    public async Task<IRequestClient<ScheduleTask>> StartClientAsync()
    {
        var host = await StartAsync(services => services.AddMassTransit(x =>
        {
            x.AddConsumer<EventRecordingConsumer>();
            x.AddRequestClient<ScheduleTask>(SchedulerEndpoints.Address(Endpoints.ScheduleTask), RequestTimeout.After(s: 60));
            x.AddRequestClient<ScheduleTasks>(SchedulerEndpoints.Address(Endpoints.ScheduleTasks), RequestTimeout.After(s: 120));
            x.AddRequestClient<CancelTask>(SchedulerEndpoints.Address(Endpoints.CancelTask), RequestTimeout.After(s: 60));
            x.AddSchedulerClient(o => o.Timeout = TimeSpan.FromSeconds(60));
            UseBroker(x);
        }));
        _clientHost = host;
        return host.Services.GetRequiredService<IRequestClient<ScheduleTask>>();
    }

    /// <summary>The smallest system: node "node-a", worker "worker-a" and the client, whose request client is returned.</summary>
    /// <param name="heartbeats">Whether worker-a heartbeats while a handler runs.</param>
    public async Task<IRequestClient<ScheduleTask>> StartNodeWorkerAndClientAsync(bool heartbeats = true)
    {
        await StartNodeAsync("node-a");
        await StartWorkerAsync("worker-a", heartbeats: heartbeats);
        return await StartClientAsync();
    }

    /// <summary>Schedules <paramref name="command"/> through <paramref name="client"/> and returns the <see cref="TaskScheduled"/> reply, failing on a rejection.</summary>
    public static async Task<TaskScheduled> ScheduleAsync(IRequestClient<ScheduleTask> client, ScheduleTask command)
    {
        ArgumentNullException.ThrowIfNull(client);
        var response = await client.GetResponse<TaskScheduled, TaskRejected>(command);
        if (response.Is(out Response<TaskRejected>? rejected))
        {
            throw new InvalidOperationException($"The node rejected the command: {rejected!.Message.Reason}");
        }

        return response.Is(out Response<TaskScheduled>? scheduled) ? scheduled!.Message : throw new InvalidOperationException("No reply.");
    }

    /// <summary>Stops <paramref name="host"/> gracefully (a node finishes its dispatches and releases its claims) and disposes it.</summary>
    public async Task StopAsync(IHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        lock (_hosts)
        {
            _hosts.Remove(host);
        }

        await StopAndDisposeAsync(host);
    }

    /// <summary>Waits until <paramref name="taskId"/> has an instance meeting <paramref name="condition"/>, reading the database.</summary>
    public async Task<TaskInstance> WaitForInstanceAsync(Guid taskId, Func<TaskInstance, bool> condition, string because)
    {
        TaskInstance? found = null;
        await Wait.UntilAsync(async () =>
        {
            found = (await Store.GetInstancesAsync(taskId)).FirstOrDefault(condition);
            return found is not null;
        }, because);
        return found!;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAllAsync();
        HangRelease.Dispose();
    }

    /// <summary>Releases hanging handlers, then stops and disposes every host still running.</summary>
    public async Task StopAllAsync()
    {
        await HangRelease.Source.CancelAsync();
        IHost[] hosts;
        lock (_hosts)
        {
            hosts = [.. _hosts];
            _hosts.Clear();
        }

        await Task.WhenAll(hosts.Select(StopAndDisposeAsync));
    }

    private async Task<IHost> StartAsync(Action<IServiceCollection> configure)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddLogging(logging => logging.AddProvider(new TestOutputLoggerProvider(_output, Logs))
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Critical)); // EF logs every retried 40001; the loops log what matters
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(Recorder);
        builder.Services.AddSingleton(HangRelease);
        builder.Services.AddSingleton(HandlerFix);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));
        // Start returns once the bus is connected and its queues are bound, so nothing published right after start is lost.
        builder.Services.Configure<MassTransitHostOptions>(o =>
        {
            o.WaitUntilStarted = true;
            o.StartTimeout = TimeSpan.FromSeconds(30);
        });
        configure(builder.Services);
        var host = builder.Build();
        lock (_hosts)
        {
            _hosts.Add(host);
        }

        await host.StartAsync();
        return host;
    }

    private void UseBroker(IBusRegistrationConfigurator x, Action<IRabbitMqBusFactoryConfigurator>? configureBus = null)
    {
        var broker = _environment.Broker;
        x.SetKebabCaseEndpointNameFormatter(); // as Scheduler.Host does, so in-process nodes and node processes share queues
        x.UsingRabbitMq((context, cfg) =>
        {
            cfg.PrefetchCount = 64; // Scheduler.Host's default
            cfg.Host(broker.Uri.Host, (ushort)broker.Uri.Port, broker.VirtualHost, h =>
            {
                h.Username(broker.Username);
                h.Password(broker.Password);
            });
            configureBus?.Invoke(cfg);
            cfg.ConfigureEndpoints(context);
        });
    }

    private static async Task StopAndDisposeAsync(IHost host)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await host.StopAsync(timeout.Token);
        }
        finally
        {
            if (host is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync();
            }
            else
            {
                host.Dispose();
            }
        }
    }
}

/// <summary>Bounded waits: polls a condition every 25 ms until it holds, failing after a generous limit.</summary>
internal static class Wait
{
    public static readonly TimeSpan DefaultLimit = TimeSpan.FromSeconds(60);

    public static async Task UntilAsync(Func<Task<bool>> condition, string because, TimeSpan? limit = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var time = TimeProvider.System;
        var start = time.GetTimestamp();
        while (!await condition())
        {
            if (time.GetElapsedTime(start) > (limit ?? DefaultLimit))
            {
                Assert.Fail($"Not reached within {(limit ?? DefaultLimit).TotalSeconds:F0} s: {because}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(25), time);
        }
    }

    public static Task UntilAsync(Func<bool> condition, string because, TimeSpan? limit = null) =>
        UntilAsync(() => Task.FromResult(condition()), because, limit);
}

/// <summary>The worker service's name, recorded with every <see cref="TaskDue"/> it receives.</summary>
internal sealed record WorkerIdentity(string Name);

/// <summary>One <see cref="TaskDue"/> that reached a worker's handler.</summary>
internal sealed record TaskDueReceipt(TaskDue Message, string Worker, DateTimeOffset ReceivedAt, bool Redelivered);

/// <summary>One <see cref="TaskDue"/> a scheduler node handed to the bus.</summary>
internal sealed record DispatchRecord(string NodeId, Guid InstanceId, int Attempt, string? DestinationQueue, DateTimeOffset At);

/// <summary>Keeps every message the test's consumers received, in arrival order.</summary>
internal sealed class Recorder
{
    private readonly ConcurrentQueue<object> _messages = new();

    public void Add(object message) => _messages.Enqueue(message);

    public IEnumerable<T> Of<T>() => _messages.OfType<T>();

    public IReadOnlyList<TaskDueReceipt> Receipts(Guid taskId) =>
        Of<TaskDueReceipt>().Where(r => r.Message.TaskId == taskId).OrderBy(r => r.Message.Attempt).ThenBy(r => r.ReceivedAt).ToList();
}

/// <summary>Every dispatch of every node of a test.</summary>
internal sealed class DispatchLedger
{
    private readonly ConcurrentQueue<DispatchRecord> _records = new();

    public IReadOnlyCollection<DispatchRecord> Records => _records;

    public void Add(DispatchRecord record) => _records.Enqueue(record);

    public IReadOnlyList<DispatchRecord> Of(Guid instanceId) => _records.Where(r => r.InstanceId == instanceId).OrderBy(r => r.Attempt).ToList();
}

/// <summary>The node's real dispatcher, recording which node dispatched what once the broker accepted it.</summary>
internal sealed class LedgerDispatcher(string nodeId, ITaskDispatcher inner, DispatchLedger ledger) : ITaskDispatcher
{
    public async Task DispatchAsync(TaskDue message, string? destinationQueue, CancellationToken cancellationToken = default)
    {
        await inner.DispatchAsync(message, destinationQueue, cancellationToken);
        ledger.Add(new DispatchRecord(nodeId, message.InstanceId, message.Attempt, destinationQueue, TimeProvider.System.GetUtcNow()));
    }

    public DispatchTelemetry DescribeDispatch(TaskDue message, string? destinationQueue) => inner.DescribeDispatch(message, destinationQueue);

    public Task ProbeAsync(CancellationToken cancellationToken = default) => inner.ProbeAsync(cancellationToken);

    public Task PublishDeadLetteredAsync(TaskDeadLettered message, CancellationToken cancellationToken = default) =>
        inner.PublishDeadLetteredAsync(message, cancellationToken);
}

/// <summary>Ends the workers' hanging handlers when a test is over, so their bus can stop.</summary>
internal sealed class HangRelease : IDisposable
{
    public CancellationTokenSource Source { get; } = new();

    public void Dispose() => Source.Dispose();
}

/// <summary>Whether the bug that "fail-until-fixed" handlers stand for is fixed: until it is, each attempt fails.</summary>
internal sealed class HandlerFix
{
    private volatile bool _fixed;

    public bool IsFixed => _fixed;

    public void Fix() => _fixed = true;
}

/// <summary>
/// A worker's handler; the task's metadata scripts it: "behavior" = fail-once | fail-twice | fail-always | fail-until-fixed (<see cref="HandlerFix"/>) | hang-first (attempt 1 never finishes,
/// as if its worker died, until the test ends) | run-3x (the handler runs three times the task's ExpireAfter, then returns) | sleep-2500ms | fail-after-2s.
/// </summary>
internal sealed class WorkerTaskDueConsumer(WorkerIdentity identity, Recorder recorder, HangRelease release, HandlerFix fix, TimeProvider time) : IConsumer<TaskDue>
{
    public async Task Consume(ConsumeContext<TaskDue> context)
    {
        var receivedAt = time.GetUtcNow();
        var due = context.Message;
        recorder.Add(new TaskDueReceipt(due, identity.Name, receivedAt, context.ReceiveContext.Redelivered));
        switch (due.Metadata.GetValueOrDefault("behavior"))
        {
            case "fail-once" when due.Attempt == 1:
            case "fail-twice" when due.Attempt <= 2:
            case "fail-until-fixed" when !fix.IsFixed:
            case "fail-always":
                throw new InvalidOperationException($"scripted failure of attempt {due.Attempt}");
            case "hang-first" when due.Attempt == 1:
                await Task.Delay(Timeout.Infinite, release.Source.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                break;
            case "fail-after-2s":
                await Task.Delay(TimeSpan.FromSeconds(2), release.Source.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                throw new InvalidOperationException($"scripted failure of attempt {due.Attempt} after 2 s");
            case "sleep-2500ms":
                await Task.Delay(TimeSpan.FromMilliseconds(2500), release.Source.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                break;
            case "run-3x":
                await Task.Delay(due.ExpireAfter * 3, release.Source.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                break;
        }
    }
}

/// <summary>The client's subscriptions to the scheduler's events, as any service on the bus could have.</summary>
internal sealed class EventRecordingConsumer(Recorder recorder) :
    IConsumer<TaskScheduled>, IConsumer<TaskRejected>, IConsumer<TaskReportBatch>, IConsumer<TaskDeadLettered>
{
    public Task Consume(ConsumeContext<TaskScheduled> context) => Record(context.Message);

    public Task Consume(ConsumeContext<TaskRejected> context) => Record(context.Message);

    // Workers report outcomes in batches (TaskReportBatch): each failure in one is recorded as if it came alone.
    public Task Consume(ConsumeContext<TaskReportBatch> context)
    {
        foreach (var failed in context.Message.Failed)
        {
            recorder.Add(failed);
        }

        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<TaskDeadLettered> context) => Record(context.Message);

    private Task Record(object message)
    {
        recorder.Add(message);
        return Task.CompletedTask;
    }
}

/// <summary>Writes the hosts' warnings and errors to the test's output (dropped once the test is over) and to its <see cref="HostLogs"/>.</summary>
internal sealed class TestOutputLoggerProvider(ITestOutputHelper output, HostLogs logs) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(output, logs, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(ITestOutputHelper output, HostLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var entry = new HostLogEntry(TimeProvider.System.GetUtcNow(), logLevel, category, formatter(state, exception) + (exception is null ? "" : " " + exception));
            logs.Add(entry);
            try
            {
                output.WriteLine(entry.ToString());
            }
            catch (InvalidOperationException)
            {
                // The test is over.
            }
        }
    }
}
