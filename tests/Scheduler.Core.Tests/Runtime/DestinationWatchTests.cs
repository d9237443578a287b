using Microsoft.Extensions.Logging.Abstractions;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Runtime;

namespace Scheduler.Core.Tests.Runtime;

/// <summary>
/// Issue #18, item 3: a destination queue nobody consumes is reported once it has had no consumer for <c>Scheduler:DestinationGrace</c>,
/// and its tasks wait — given back, no attempt used — until a consumer is there again. Fake clock, a probe the test controls.
/// </summary>
public sealed class DestinationWatchTests : IDisposable
{
    private readonly LoopFixture _f = new(o => o.DestinationGrace = TimeSpan.FromSeconds(30));
    private readonly CountingProbe _probe = new();
    private readonly DestinationWatch _watch;

    public DestinationWatchTests()
    {
        _watch = new DestinationWatch([_probe], _f.Options, _f.Time, _f.Metrics, NullLogger<DestinationWatch>.Instance);
        _f.Runner.Destinations = _watch;
    }

    [Fact]
    public async Task DestinationWithoutConsumerForTheGrace_HoldsItsTasksBack_UsingNoAttempt_UntilAConsumerIsThere()
    {
        var first = await _f.ScheduleAsync(LoopFixture.Once(TimeSpan.Zero));
        await _f.TickAsync(); // dispatched: the queue is watched from now on
        Assert.Single(_f.Dispatcher.Dispatched);

        _probe.Consumers = 0; // its workers went away
        await _watch.CheckOnceAsync(CancellationToken.None);
        _f.Time.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromTicks(1));
        await _watch.CheckOnceAsync(CancellationToken.None);
        Assert.False(Assert.Single(_watch.Snapshot()).WithoutConsumer); // not for the whole grace yet

        _f.Time.Advance(TimeSpan.FromTicks(1));
        await _watch.CheckOnceAsync(CancellationToken.None);
        var status = Assert.Single(_watch.Snapshot());
        Assert.Equal((LoopFixture.DefaultQueue, 0, true), (status.Queue, status.Consumers, status.WithoutConsumer));

        var waiting = await _f.ScheduleAsync(LoopFixture.Once(TimeSpan.FromSeconds(30))); // due now
        await _f.TickAsync();
        Assert.Single(_f.Dispatcher.Dispatched); // held back, not sent
        var instance = await _f.SingleInstanceAsync(waiting);
        Assert.Equal((TaskInstanceState.Scheduled, 0), (instance.Status, instance.Attempt)); // no attempt used
        Assert.Equal(_f.Time.GetUtcNow() + TimeSpan.FromSeconds(10), instance.DueAt); // due again at the next check

        _probe.Consumers = 2; // a worker is back
        _f.Time.Advance(TimeSpan.FromSeconds(10));
        await _watch.CheckOnceAsync(CancellationToken.None);
        await _f.TickAsync();
        Assert.Equal([first, waiting], _f.Dispatcher.Dispatched.Select(d => d.Message.TaskId));
        Assert.Equal(1, _f.Dispatcher.Dispatched[^1].Message.Attempt);
    }

    [Fact]
    public async Task BrokerThatCannotBeAsked_KeepsWhatWasKnown_NothingIsHeldForIt()
    {
        await _f.ScheduleAsync(LoopFixture.Once(TimeSpan.Zero));
        await _f.TickAsync();
        _probe.Fail = true; // the broker is away: nothing can be learnt about the queue

        _f.Time.Advance(TimeSpan.FromMinutes(5));
        await _watch.CheckOnceAsync(CancellationToken.None);

        Assert.False(Assert.Single(_watch.Snapshot()).WithoutConsumer);
        Assert.False(_watch.IsWithoutConsumer(LoopFixture.DefaultQueue));
    }

    [Fact]
    public void WithoutAProbeForTheBus_NothingIsWatched()
    {
        var watch = new DestinationWatch([new CountingProbe { Applies = false }], _f.Options, _f.Time, _f.Metrics, NullLogger<DestinationWatch>.Instance);

        Assert.False(watch.Enabled);
        Assert.False(watch.IsWithoutConsumer("any"));
        Assert.Empty(watch.Snapshot());
    }

    public void Dispose() => _f.Dispose();

    private sealed class CountingProbe : IDestinationProbe
    {
        public bool Applies { get; init; } = true;

        public int Consumers { get; set; } = 1;

        public bool Fail { get; set; }

        public Task<int> CountConsumersAsync(string queue, CancellationToken cancellationToken) =>
            Fail ? Task.FromException<int>(new InvalidOperationException("broker unreachable")) : Task.FromResult(Consumers);
    }
}
