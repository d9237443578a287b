using System.Collections.Concurrent;
using System.Globalization;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Scheduler.Contracts;
using Scheduler.Core.Runtime;

namespace Scheduler.IntegrationTests;

/// <summary>
/// Issue #10, item 5: nodes decide due-ness against one clock, the database's. A node whose own clock is 5 minutes fast measures the offset,
/// corrects for it and never fires early; past <see cref="SchedulerOptions.MaxClockOffset"/> it refuses to dispatch and reports not ready.
/// Real PostgreSQL, real time.
/// </summary>
public sealed class ClockAlignmentTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    private static readonly IMeterFactory Meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();

    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(5);

    /// <summary>The host's clock of a machine whose time service is off by <see cref="Skew"/>.</summary>
    private sealed class FastClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Skew;
    }

    private sealed class Dispatcher : ITaskDispatcher
    {
        public ConcurrentQueue<(TaskDue Message, DateTimeOffset WallTime)> Sent { get; } = new();

        public Task DispatchAsync(TaskDue message, string? destinationQueue, CancellationToken cancellationToken = default)
        {
            Sent.Enqueue((message, TimeProvider.System.GetUtcNow()));
            return Task.CompletedTask;
        }

        public Task PublishDeadLetteredAsync(TaskDeadLettered message, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }

    private sealed record Node(SchedulingService Scheduling, SchedulerLoop Scheduler, RunnerLoop Runner, Dispatcher Dispatcher) : IDisposable
    {
        public void Dispose() => Runner.Dispose();
    }

    private Node StartNode(SchedulerClock clock)
    {
        var store = database.CreateStore();
        var options = Microsoft.Extensions.Options.Options.Create(new SchedulerOptions { NodeId = "fast-node", DefaultDestinationQueue = "worker" });
        var signals = new LoopSignals();
        var dispatcher = new Dispatcher();
        var metrics = new SchedulerMetrics(Meters, options);
        return new Node(new SchedulingService(store, store, signals, options, clock, metrics, NullLogger<SchedulingService>.Instance),
            new SchedulerLoop(store, new TriggerCache(), signals, options, clock, metrics, NullLogger<SchedulerLoop>.Instance),
            new RunnerLoop(store, dispatcher, signals, options, clock, metrics, NullLogger<RunnerLoop>.Instance), dispatcher);
    }

    [Fact]
    public async Task NodeFiveMinutesFast_CorrectsToTheDatabaseClock_AndNeverFiresEarly()
    {
        await StoreFactory.CreateEmptyAsync(database.ConnectionString, PostgresDatabaseFixture.Options); // the other test's task must not be here
        var clock = new SchedulerClock(new FastClock());
        var offset = await clock.MeasureAsync(database.CreateStore(), maxOffset: TimeSpan.FromMinutes(10));

        Assert.NotNull(offset);
        Assert.InRange(offset.Value, -Skew - TimeSpan.FromSeconds(2), -Skew + TimeSpan.FromSeconds(2));
        Assert.False(clock.IsOutOfBounds);
        using var node = StartNode(clock);
        var due = TimeProvider.System.GetUtcNow().AddSeconds(2); // by the database's (and this machine's true) clock
        await node.Scheduling.ScheduleAsync(new ScheduleTask { Trigger = due.ToString("O", CultureInfo.InvariantCulture) });

        var deadline = TimeProvider.System.GetUtcNow().AddMinutes(2);
        while (node.Dispatcher.Sent.IsEmpty && TimeProvider.System.GetUtcNow() < deadline)
        {
            await node.Scheduler.RunOnceAsync();
            await node.Runner.ClaimOnceAsync();
            await node.Runner.DispatchDueAsync();
            await Task.Delay(20);
        }

        var (message, wallTime) = Assert.Single(node.Dispatcher.Sent);
        Assert.Equal(due.UtcTicks / 10, message.DueAt.UtcTicks / 10);
        // Uncorrected, the node would have fired 5 minutes early, at once; corrected, never before the due time (the offset's error can only
        // make it late; the database keeps microseconds of the due time).
        Assert.True(wallTime >= due - TimeSpan.FromMilliseconds(1), $"dispatched at {wallTime:O}, due {due:O}");
    }

    [Fact]
    public async Task NodeFurtherOffThanMaxClockOffset_DispatchesNothing_AndReportsNotReady()
    {
        await StoreFactory.CreateEmptyAsync(database.ConnectionString, PostgresDatabaseFixture.Options); // the other test's task must not be here
        var clock = new SchedulerClock(new FastClock());
        await clock.MeasureAsync(database.CreateStore(), maxOffset: TimeSpan.FromMinutes(1));
        Assert.True(clock.IsOutOfBounds);
        using var node = StartNode(clock);
        await node.Scheduling.ScheduleAsync(new ScheduleTask { Trigger = TimeProvider.System.GetUtcNow().AddMinutes(-1).ToString("O", CultureInfo.InvariantCulture) });
        await node.Scheduler.RunOnceAsync();

        Assert.Equal(0, await node.Runner.ClaimOnceAsync()); // due, but this node's sense of "now" cannot be trusted
        Assert.Equal(0, await node.Runner.DispatchDueAsync());
        Assert.Empty(node.Dispatcher.Sent);
        var health = await new SchedulerHealthCheck(node.Runner).CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, health.Status);
        Assert.Contains("MaxClockOffset", health.Description, StringComparison.Ordinal);
    }
}
