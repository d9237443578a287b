using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Runtime;
using Scheduler.Core.Storage;

namespace Scheduler.MassTransit.Tests;

/// <summary>
/// A scheduler node and a worker on MassTransit's test harness (in-memory transport), with the node's real loops running on a fake clock:
/// time moves only when a test advances it, so "at the fire time, never before" is checked exactly.
/// </summary>
internal sealed class BusFixture : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _provider;

    private BusFixture(ServiceProvider provider)
    {
        _provider = provider;
        Harness = provider.GetRequiredService<ITestHarness>();
        Store = provider.GetRequiredService<ITaskStore>();
        Runner = provider.GetRequiredService<RunnerLoop>();
        Recorder = provider.GetRequiredService<Recorder>();
    }

    /// <summary>What the test's consumers received, in arrival order.</summary>
    public Recorder Recorder { get; }

    public FakeTimeProvider Time => (FakeTimeProvider)_provider.GetRequiredService<TimeProvider>();

    public ITestHarness Harness { get; }

    public ITaskStore Store { get; }

    public RunnerLoop Runner { get; }

    public IServiceProvider Services => _provider;

    /// <summary>The messages the bus's consumers and sagas have finished with.</summary>
    public ProcessedMessages Processed => _provider.GetRequiredService<ProcessedMessages>();

    /// <summary>The queue of the test's worker (<see cref="ScriptedTaskConsumer"/>) and the node's default destination.</summary>
    public const string WorkerQueue = "scripted-worker";

    /// <param name="wrapStore">Wraps the in-memory store, e.g. to gate it.</param>
    /// <param name="heartbeats">Whether the worker heartbeats while a handler runs; off, a hanging handler reports its start and then nothing, as
    /// a worker that died.</param>
    /// <param name="configure">Adds the test's own consumers to the bus.</param>
    public static async Task<BusFixture> StartAsync(Func<ITaskStore, ITaskStore>? wrapStore = null, bool heartbeats = true,
        Action<IBusRegistrationConfigurator>? configure = null)
    {
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(new FakeTimeProvider(Start))
            .AddLogging()
            .AddSingleton<HangRelease>()
            .AddSingleton<Recorder>()
            .AddSingleton<ProcessedMessages>();
        services.AddConsumeObserver(sp => sp.GetRequiredService<ProcessedMessages>());
        services.AddMassTransitTestHarness(x =>
        {
            x.AddSchedulerNode(o =>
                {
                    o.NodeId = "test-node";
                    o.DefaultDestinationQueue = WorkerQueue; // the tests' commands name no queue
                    // The tests move the fake clock in jumps (30 s at once) that a live node never sees: a jump past the liveness timeout
                    // between two refreshes of the node's run would stop its runner as if the process had been frozen (NodeRunTests cover that).
                    o.NodeLivenessTimeout = TimeSpan.FromMinutes(10);
                })
                .UseStore(_ => (wrapStore ?? (store => store)).Invoke(new InMemoryTaskStore()));
            x.AddTaskConsumer<ScriptedTaskConsumer>(WorkerQueue);
            x.AddTaskReporting(o => o.Heartbeats = heartbeats);
            x.AddConsumer<RecordingConsumer>();
            configure?.Invoke(x);
        });
        var fixture = new BusFixture(services.BuildServiceProvider(validateScopes: true));
        await fixture.Harness.Start();
        return fixture;
    }

    /// <summary>Publishes the command and returns the reply the node published for it (<see cref="TaskScheduled"/> or <see cref="TaskRejected"/>).</summary>
    public async Task<object> ScheduleAsync(ScheduleTask command)
    {
        var taskId = command.TaskId ?? Guid.NewGuid();
        await Harness.Bus.Publish(command with { TaskId = taskId });
        object? reply = null;
        await Eventually(() =>
        {
            reply = Recorder.Of<TaskScheduled>().FirstOrDefault(m => m.TaskId == taskId)
                ?? (object?)Recorder.Of<TaskRejected>().FirstOrDefault(m => m.TaskId == taskId);
            return reply is not null;
        });
        return reply!;
    }

    public async Task<TaskInstance> WaitForInstanceAsync(Guid taskId, Func<TaskInstance, bool> condition)
    {
        TaskInstance? found = null;
        await Eventually(async () =>
        {
            found = (await Store.GetInstancesAsync(taskId)).FirstOrDefault(condition);
            return found is not null;
        });
        return found!;
    }

    /// <summary>The <see cref="TaskDue"/> messages of a task that reached the worker's handler, by attempt.</summary>
    public IReadOnlyList<TaskDue> ConsumedTaskDue(Guid taskId) =>
        Recorder.Of<TaskDue>().Where(m => m.TaskId == taskId).OrderBy(m => m.Attempt).ToList();

    /// <summary>Waits (in real time, with a deadline generous enough for a loaded CI machine: 60 s) for asynchronous bus and loop work to reach
    /// a state; returns as soon as it does.</summary>
    public static async Task Eventually(Func<Task<bool>> condition, string? because = null)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (60 * TimeProvider.System.TimestampFrequency);
        while (TimeProvider.System.GetTimestamp() < deadline)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(10);
        }

        Assert.Fail($"Condition not reached within 60 s{(because is null ? "" : ": " + because)}.");
    }

    public static Task Eventually(Func<bool> condition, string? because = null) => Eventually(() => Task.FromResult(condition()), because);

    public async ValueTask DisposeAsync()
    {
        await _provider.GetRequiredService<HangRelease>().Source.CancelAsync();
        // Bounded as a host's shutdown is (HostOptions.ShutdownTimeout): a consumer or loop that does not stop fails the test instead of
        // hanging the test run (waits on the fake clock never end by themselves).
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await Harness.Stop(stopping.Token);
        Assert.False(stopping.IsCancellationRequested, "The node and the worker did not stop within 60 s: a consumer or loop ignores cancellation.");
        await _provider.DisposeAsync();
    }
}

/// <summary>A worker's consumer whose behaviour the task's metadata scripts: "behavior" = fail-once | fail-always | hang-first | hang-always.</summary>
internal sealed class ScriptedTaskConsumer(HangRelease release, Recorder recorder) : IConsumer<TaskDue>
{
    public async Task Consume(ConsumeContext<TaskDue> context)
    {
        var due = context.Message;
        recorder.Add(due);
        recorder.Add(new ConsumedIn(due.InstanceId, due.Attempt, System.Diagnostics.Activity.Current?.TraceId));
        switch (due.Metadata.GetValueOrDefault("behavior"))
        {
            case "fail-once" when due.Attempt == 1:
            case "fail-always":
                throw new InvalidOperationException($"scripted failure of attempt {due.Attempt}");
            case "hang-first" when due.Attempt == 1:
            case "hang-always":
                // A worker that never finishes (as if it died), until the fixture shuts down.
                await Task.Delay(Timeout.Infinite, release.Source.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                break;
        }
    }
}

/// <summary>
/// Every message a consumer or saga of the bus has finished with (MassTransit's consume observer, told after the whole consume pipe, a saga's
/// repository writes included): "nothing happened" is asserted once the message that could have caused it is in here.
/// </summary>
internal sealed class ProcessedMessages : IConsumeObserver
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<(object Message, Uri? InputAddress, bool Faulted)> _processed = new();

    /// <summary>Whether the consumers of the endpoint named <paramref name="queue"/> have finished with a <typeparamref name="T"/> matching
    /// <paramref name="match"/> (successfully or not).</summary>
    public bool Any<T>(string queue, Func<T, bool> match) => _processed.Any(p => Matches(p, queue, match));

    /// <summary>Whether a consumer of the endpoint named <paramref name="queue"/> threw on a <typeparamref name="T"/> matching
    /// <paramref name="match"/>.</summary>
    public bool AnyFault<T>(string queue, Func<T, bool> match) => _processed.Any(p => p.Faulted && Matches(p, queue, match));

    public Task PreConsume<T>(ConsumeContext<T> context)
        where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context)
        where T : class => Record(context, faulted: false);

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception)
        where T : class => Record(context, faulted: true);

    private static bool Matches<T>((object Message, Uri? InputAddress, bool Faulted) processed, string queue, Func<T, bool> match) =>
        processed.Message is T message && match(message) && processed.InputAddress?.AbsolutePath.EndsWith("/" + queue, StringComparison.Ordinal) == true;

    private Task Record<T>(ConsumeContext<T> context, bool faulted)
        where T : class
    {
        _processed.Enqueue((context.Message, context.ReceiveContext.InputAddress, faulted));
        return Task.CompletedTask;
    }
}

/// <summary>The trace a worker's handler ran in (its consume activity's, when activities are listened to).</summary>
internal sealed record ConsumedIn(Guid InstanceId, int Attempt, System.Diagnostics.ActivityTraceId? TraceId);

/// <summary>Ends the "hanging" handlers when a test is over, so the bus can stop.</summary>
internal sealed class HangRelease : IDisposable
{
    public CancellationTokenSource Source { get; } = new();

    public void Dispose() => Source.Dispose();
}

/// <summary>Keeps every message the test's consumers received.</summary>
internal sealed class Recorder
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<object> _messages = new();

    public void Add(object message) => _messages.Enqueue(message);

    public IEnumerable<T> Of<T>() => _messages.OfType<T>();
}

/// <summary>Records the scheduler's replies and outcome events, as any service on the bus could.</summary>
internal sealed class RecordingConsumer(Recorder recorder) :
    IConsumer<TaskScheduled>, IConsumer<TaskRejected>, IConsumer<TasksScheduled>, IConsumer<TasksRejected>, IConsumer<TaskReportBatch>,
    IConsumer<TaskDeadLettered>
{
    public Task Consume(ConsumeContext<TaskScheduled> context) => Record(context.Message);

    public Task Consume(ConsumeContext<TasksScheduled> context) => Record(context.Message);

    public Task Consume(ConsumeContext<TasksRejected> context) => Record(context.Message);

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
