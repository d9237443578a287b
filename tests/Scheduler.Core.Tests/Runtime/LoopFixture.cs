using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Runtime;
using Scheduler.Core.Storage;

namespace Scheduler.Core.Tests.Runtime;

/// <summary>A node's loops over an in-memory store, on a fake clock, with a dispatcher that records what it is given.</summary>
internal sealed class LoopFixture : IDisposable
{
    public static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The nodes' <see cref="SchedulerOptions.DefaultDestinationQueue"/>: where a task that names no recipient goes.</summary>
    public const string DefaultQueue = "worker";

    /// <param name="configure">Changes the node's options.</param>
    /// <param name="nodeId">The node's id.</param>
    /// <param name="store">The store, shared with another node; default a new one.</param>
    /// <param name="time">The clock, shared with another node; default a new one at <see cref="Start"/>.</param>
    /// <param name="wrapStore">Wraps the store the node's loops and scheduling service use (e.g. <see cref="InterceptedStore.Wrap"/>);
    /// <see cref="Store"/> stays the store itself.</param>
    public LoopFixture(Action<SchedulerOptions>? configure = null, string nodeId = "node-a", InMemoryTaskStore? store = null,
        FakeTimeProvider? time = null, Func<ITaskStore, ITaskStore>? wrapStore = null)
    {
        Time = time ?? new FakeTimeProvider(Start);
        Store = store ?? new InMemoryTaskStore();
        var settings = new SchedulerOptions
        {
            NodeId = nodeId, ExecutionWindow = TimeSpan.FromSeconds(10), PollInterval = TimeSpan.FromSeconds(1), DefaultDestinationQueue = DefaultQueue,
        };
        configure?.Invoke(settings);
        Options = Microsoft.Extensions.Options.Options.Create(settings);
        Signals = new LoopSignals();
        Metrics = new SchedulerMetrics(MeterFactory, Options);
        var nodeStore = wrapStore?.Invoke(Store) ?? Store;
        Scheduling = new SchedulingService(nodeStore, nodeStore, Signals, Options, Time, Metrics, NullLogger<SchedulingService>.Instance);
        SchedulerLoop = new SchedulerLoop(nodeStore, new TriggerCache(), Signals, Options, Time, Metrics, NullLogger<SchedulerLoop>.Instance);
        Runner = new RunnerLoop(nodeStore, Dispatcher, Signals, Options, Time, Metrics, RunnerLog);
        Cleanup = new CleanupLoop(nodeStore, Options, Time, NullLogger<CleanupLoop>.Instance);
    }

    public FakeTimeProvider Time { get; }

    /// <summary>This fixture's meters (their <see cref="System.Diagnostics.Metrics.Meter.Scope"/>), so a test listens to its own node only.</summary>
    public TestMeterFactory MeterFactory { get; } = new();

    public SchedulerMetrics Metrics { get; }

    public InMemoryTaskStore Store { get; }

    public IOptions<SchedulerOptions> Options { get; }

    public LoopSignals Signals { get; }

    public SchedulingService Scheduling { get; }

    public SchedulerLoop SchedulerLoop { get; }

    public RunnerLoop Runner { get; }

    /// <summary>What the runner logged.</summary>
    public RecordingLogger<RunnerLoop> RunnerLog { get; } = new();

    public CleanupLoop Cleanup { get; }

    public RecordingDispatcher Dispatcher { get; } = new();

    /// <summary>One pass of both loops at the current fake time: materialize, claim, dispatch what is due.</summary>
    public async Task TickAsync()
    {
        await SchedulerLoop.RunOnceAsync();
        await Runner.ClaimOnceAsync();
        await Runner.DispatchDueAsync();
    }

    /// <summary>An execute-once task due <paramref name="fromStart"/> after <see cref="Start"/>.</summary>
    public static ScheduleTask Once(TimeSpan fromStart) =>
        new() { Trigger = (Start + fromStart).ToString("O", System.Globalization.CultureInfo.InvariantCulture) };

    public async Task<Guid> ScheduleAsync(ScheduleTask command) => (await Scheduling.ScheduleAsync(command)).TaskId;

    public async Task<TaskInstance> SingleInstanceAsync(Guid taskId) => Assert.Single(await Store.GetInstancesAsync(taskId));

    /// <summary>What a worker with <c>AddTaskReporting</c> does once a handler has run a moment: reports the start of every dispatched attempt
    /// of task <paramref name="taskId"/> not yet started, at the current fake time, so its ExpireAfter counts from now.</summary>
    public async Task ReportStartsAsync(Guid taskId)
    {
        var now = Time.GetUtcNow();
        var running = (await Store.GetInstancesAsync(taskId))
            .Where(i => i.Status == TaskInstanceState.Dispatched && i.StartedAt is null)
            .Select(i => new InstanceOutcome(i.Id, i.Attempt, OutcomeKind.Started, now) { StartedAt = now }).ToList();
        await Store.ApplyOutcomesAsync(running);
    }

    public void Dispose()
    {
        Runner.Dispose();
        MeterFactory.Dispose();
    }
}

/// <summary>An <see cref="System.Diagnostics.Metrics.IMeterFactory"/> whose meters name it as their scope.</summary>
internal sealed class TestMeterFactory : System.Diagnostics.Metrics.IMeterFactory
{
    private readonly List<System.Diagnostics.Metrics.Meter> _meters = [];

    public System.Diagnostics.Metrics.Meter Create(System.Diagnostics.Metrics.MeterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Scope = this;
        var meter = new System.Diagnostics.Metrics.Meter(options);
        lock (_meters)
        {
            _meters.Add(meter);
        }

        return meter;
    }

    public void Dispose()
    {
        lock (_meters)
        {
            _meters.ForEach(m => m.Dispose());
            _meters.Clear();
        }
    }
}

/// <summary>Records dispatches instead of sending them; can be told to fail.</summary>
internal sealed class RecordingDispatcher : ITaskDispatcher
{
    private readonly Lock _lock = new();
    private readonly List<(TaskDue Message, string? Queue, DateTimeOffset At)> _dispatched = [];
    private readonly List<TaskDeadLettered> _deadLettered = [];

    public TimeProvider? Clock { get; set; }

    public bool Fail { get; set; }

    /// <summary>What <see cref="DescribeDispatch"/> says of every dispatch (with the destination queue as its destination); default
    /// <see cref="ITaskDispatcher"/>'s.</summary>
    public DispatchTelemetry? Describes { get; set; }

    /// <summary>Awaited by every publish before it counts as sent: a slow or hanging broker. It gets the publish's cancellation token.</summary>
    public Func<TaskDue, CancellationToken, Task>? Gate { get; set; }

    public IReadOnlyList<(TaskDue Message, string? Queue, DateTimeOffset At)> Dispatched
    {
        get
        {
            lock (_lock)
            {
                return [.. _dispatched];
            }
        }
    }

    public IReadOnlyList<TaskDeadLettered> DeadLettered
    {
        get
        {
            lock (_lock)
            {
                return [.. _deadLettered];
            }
        }
    }

    public async Task DispatchAsync(TaskDue message, string? destinationQueue, CancellationToken cancellationToken = default)
    {
        if (Fail)
        {
            throw new InvalidOperationException("broker unavailable");
        }

        if (Gate is { } gate)
        {
            await gate(message, cancellationToken);
        }

        lock (_lock)
        {
            _dispatched.Add((message, destinationQueue, Clock?.GetUtcNow() ?? default));
        }
    }

    public DispatchTelemetry DescribeDispatch(TaskDue message, string? destinationQueue) =>
        (Describes ?? new DispatchTelemetry()) with { DestinationName = destinationQueue };

    public Task ProbeAsync(CancellationToken cancellationToken = default) =>
        Fail ? Task.FromException(new InvalidOperationException("broker unavailable")) : Task.CompletedTask;

    public Task PublishDeadLetteredAsync(TaskDeadLettered message, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _deadLettered.Add(message);
        }

        return Task.CompletedTask;
    }
}
