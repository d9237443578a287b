using System.Reflection;
using MassTransit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Scheduler.MassTransit.Endpoints;

namespace Scheduler.MassTransit.Tests.Endpoints;

/// <summary>When the watchdog restarts an endpoint that is not consuming: only once the broker itself has answered for a while, never on the
/// word of other endpoints, and a draining endpoint only after MassTransit's StopTimeout.</summary>
public sealed class ReceiveEndpointWatchdogTests
{
    private static readonly Uri Worker = new("rabbitmq://localhost/worker");
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero));
    private readonly ReceiveEndpointWatch _watch;
    private bool _brokerAnswers;

    public ReceiveEndpointWatchdogTests() => _watch = new ReceiveEndpointWatch(_time);

    private ReceiveEndpointWatchdog Watchdog() => new(_watch, _ => _brokerAnswers ? Task.CompletedTask : throw new InvalidOperationException("Broker unreachable"),
        StopTimeout, _time, NullLogger<ReceiveEndpointWatchdog>.Instance);

    /// <summary>One endpoint stayed ready through the outage (it heard of none): the watchdog must not take that for the broker being back.</summary>
    [Fact]
    public async Task FaultedEndpoint_IsLeftToMassTransit_WhileTheBrokerDoesNotAnswer_WhateverOtherEndpointsSay()
    {
        var (endpoint, calls) = FakeEndpoint.Create(Worker);
        await _watch.Ready(Event.Ready(new Uri("rabbitmq://localhost/bus-endpoint"), FakeEndpoint.Create(new Uri("rabbitmq://localhost/bus-endpoint")).Endpoint));
        await _watch.Faulted(Event.Faulted(Worker, endpoint));
        var watchdog = Watchdog();

        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(0, await watchdog.CheckOnceAsync(CancellationToken.None));
        Assert.Empty(calls);
    }

    [Fact]
    public async Task FaultedEndpoint_IsRestarted_OnceTheBrokerHasAnsweredForTenSeconds()
    {
        var (endpoint, calls) = FakeEndpoint.Create(Worker);
        await _watch.Faulted(Event.Faulted(Worker, endpoint));
        var watchdog = Watchdog();

        _time.Advance(TimeSpan.FromSeconds(45)); // the broker was down
        Assert.Equal(0, await watchdog.CheckOnceAsync(CancellationToken.None));
        _brokerAnswers = true;
        Assert.Equal(0, await watchdog.CheckOnceAsync(CancellationToken.None)); // answering since now
        _time.Advance(ReceiveEndpointWatchdog.AnsweringFor - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await watchdog.CheckOnceAsync(CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(1, await watchdog.CheckOnceAsync(CancellationToken.None));
        Assert.Equal(["Stop", "Start"], calls);
    }

    [Fact]
    public async Task FaultedEndpoint_IsNotRestarted_BeforeItWasIdleForRestartAfter_NorTwiceWithinIt()
    {
        var (endpoint, calls) = FakeEndpoint.Create(Worker);
        _brokerAnswers = true;
        var watchdog = Watchdog();
        await _watch.Faulted(Event.Faulted(Worker, endpoint));

        _time.Advance(ReceiveEndpointWatchdog.RestartAfter - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await watchdog.CheckOnceAsync(CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, await watchdog.CheckOnceAsync(CancellationToken.None)); // due now; the broker's answers are counted from here
        _time.Advance(ReceiveEndpointWatchdog.AnsweringFor);
        Assert.Equal(1, await watchdog.CheckOnceAsync(CancellationToken.None));

        await _watch.Faulted(Event.Faulted(Worker, endpoint)); // still the same fault after the restart (its state did not change)
        _time.Advance(ReceiveEndpointWatchdog.RestartAfter - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await watchdog.CheckOnceAsync(CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, await watchdog.CheckOnceAsync(CancellationToken.None)); // the broker's answers are counted afresh: none was asked meanwhile
        _time.Advance(ReceiveEndpointWatchdog.AnsweringFor);
        Assert.Equal(1, await watchdog.CheckOnceAsync(CancellationToken.None));
        Assert.Equal(["Stop", "Start", "Stop", "Start"], calls);
    }

    /// <summary>Handlers a connection loss cancelled hold their endpoint until they return or StopTimeout ends; past that (plus RestartAfter)
    /// MassTransit has abandoned them, and an endpoint still not consuming is restarted rather than left draining forever.</summary>
    [Fact]
    public async Task DrainingEndpoint_IsRestarted_OnlyAfterStopTimeoutAndRestartAfter()
    {
        var (endpoint, calls) = FakeEndpoint.Create(Worker);
        _brokerAnswers = true;
        await _watch.Ready(Event.Ready(Worker, endpoint));
        using var connectionLost = new CancellationTokenSource();
        await _watch.PreReceive(FakeReceiveContext.Create(Worker, connectionLost.Token));
        _time.Advance(TimeSpan.FromSeconds(1));
        connectionLost.Cancel();
        var watchdog = Watchdog();
        Assert.Empty(_watch.NotConsuming()); // first seen cancelled now

        _time.Advance(ReceiveEndpointWatch.DrainGrace);
        Assert.Equal(EndpointState.Draining, Assert.Single(_watch.NotConsuming()).State);
        _time.Advance(StopTimeout + ReceiveEndpointWatchdog.RestartAfter - ReceiveEndpointWatch.DrainGrace - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await watchdog.CheckOnceAsync(CancellationToken.None));
        Assert.Empty(calls);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, await watchdog.CheckOnceAsync(CancellationToken.None)); // due: the broker's answers are counted from here
        _time.Advance(ReceiveEndpointWatchdog.AnsweringFor);

        Assert.Equal(1, await watchdog.CheckOnceAsync(CancellationToken.None));
        Assert.Equal(["Stop", "Start"], calls);
    }

    [Fact]
    public async Task ProbeThatHangs_CountsAsNoAnswer_AfterFiveSeconds()
    {
        var (endpoint, calls) = FakeEndpoint.Create(Worker);
        await _watch.Faulted(Event.Faulted(Worker, endpoint));
        var watchdog = new ReceiveEndpointWatchdog(_watch, ct => Task.Delay(Timeout.InfiniteTimeSpan, ct), StopTimeout, _time,
            NullLogger<ReceiveEndpointWatchdog>.Instance);
        _time.Advance(TimeSpan.FromMinutes(1));

        var check = watchdog.CheckOnceAsync(CancellationToken.None);
        Assert.False(check.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(0, await check);
        Assert.Empty(calls);
    }

    /// <summary>Endpoint events as MassTransit raises them.</summary>
    private static class Event
    {
        public static ReceiveEndpointReady Ready(Uri address, IReceiveEndpoint endpoint) => Proxy<ReceiveEndpointReady>(address, endpoint);

        public static ReceiveEndpointFaulted Faulted(Uri address, IReceiveEndpoint endpoint) => Proxy<ReceiveEndpointFaulted>(address, endpoint);

        private static T Proxy<T>(Uri address, IReceiveEndpoint endpoint)
            where T : class
        {
            var proxy = DispatchProxy.Create<T, EventProxy>();
            ((EventProxy)(object)proxy).Values = new Dictionary<string, object?>
            {
                ["get_InputAddress"] = address,
                ["get_ReceiveEndpoint"] = endpoint,
                ["get_Exception"] = new InvalidOperationException("Connection refused"),
                ["get_IsStarted"] = true,
            };
            return proxy;
        }
    }

    public class EventProxy : DispatchProxy
    {
        public Dictionary<string, object?> Values { get; set; } = [];

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            Values.TryGetValue(targetMethod?.Name ?? "", out var value) ? value : throw new NotSupportedException(targetMethod?.Name);
    }

    /// <summary>A receive endpoint that records Stop and Start.</summary>
    public class FakeEndpoint : DispatchProxy
    {
        private List<string> _calls = [];
        private Uri _address = null!;

        public static (IReceiveEndpoint Endpoint, List<string> Calls) Create(Uri address)
        {
            var endpoint = DispatchProxy.Create<IReceiveEndpoint, FakeEndpoint>();
            var fake = (FakeEndpoint)(object)endpoint;
            fake._address = address;
            return (endpoint, fake._calls);
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            switch (targetMethod?.Name)
            {
                case "Stop":
                    _calls.Add("Stop");
                    return Task.CompletedTask;
                case "Start":
                    _calls.Add("Start");
                    return null;
                case "get_InputAddress":
                    return _address;
                default:
                    throw new NotSupportedException(targetMethod?.Name);
            }
        }
    }

    /// <summary>A delivery in flight whose cancellation token is given.</summary>
    public class FakeReceiveContext : DispatchProxy
    {
        private Uri _address = null!;
        private CancellationToken _token;

        public static ReceiveContext Create(Uri address, CancellationToken token)
        {
            var context = DispatchProxy.Create<ReceiveContext, FakeReceiveContext>();
            var fake = (FakeReceiveContext)(object)context;
            fake._address = address;
            fake._token = token;
            return context;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod?.Name switch
        {
            "get_CancellationToken" => _token,
            "get_InputAddress" => _address,
            _ => throw new NotSupportedException(targetMethod?.Name),
        };
    }
}
