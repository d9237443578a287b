using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Scheduler.Contracts;
using Scheduler.Core.Storage;

namespace Scheduler.Core.Runtime.Runner;

/// <summary>
/// The runner's sends to the broker: each <see cref="TaskDue"/> goes through a circuit breaker (Polly's) and within its timeout
/// (<see cref="BrokerCall"/>). While the circuit is open the runner claims nothing; every <see cref="SchedulerOptions.SendRetryInterval"/> it
/// probes the broker (<see cref="ITaskDispatcher.ProbeAsync"/>), and once sends succeed again the running attempts get a grace after the
/// outage (<see cref="IRunnerStore.ExtendRunningAttemptsAsync"/>).
/// </summary>
internal sealed partial class TaskDueSender
{
    private readonly IRunnerStore _store;
    private readonly ITaskDispatcher _dispatcher;
    private readonly LoopSignals _signals;
    private readonly SchedulerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly CircuitBreakerStateProvider _circuit = new();
    private readonly ResiliencePipeline _sends;
    private long _probeAfterTicks; // UTC ticks; written by the breaker's callback, read by the claim loop: one atomic 64-bit value
    private int _releaseHeld;
    private int _graceDue;

    /// <summary>Creates the sender; it logs in the category of <paramref name="logger"/> (the runner's).</summary>
    public TaskDueSender(IRunnerStore store, ITaskDispatcher dispatcher, LoopSignals signals, SchedulerOptions options, TimeProvider timeProvider, ILogger logger)
    {
        _store = store;
        _dispatcher = dispatcher;
        _signals = signals;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _sends = new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = 0.5,
                MinimumThroughput = 3,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = _options.SendRetryInterval,
                // The broker's failures count; a message refused for its own sake, or a send cancelled because the node stops, does not.
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not (DispatchRejectedException or OperationCanceledException)),
                StateProvider = _circuit,
                OnOpened = args =>
                {
                    OnSendsFailing(args.BreakDuration, args.Outcome.Exception);
                    return default;
                },
                OnClosed = _ =>
                {
                    LogSendsRecovered();
                    ReportsResumed(); // nor could any worker's report arrive while the broker was away
                    return default;
                },
            })
            .Build();
    }

    /// <summary><see langword="true"/> while the circuit breaker is open (or testing with a probe).</summary>
    public bool SendsFailing => _circuit.CircuitState != CircuitState.Closed;

    /// <summary>Whether the held claims are to be released since the circuit opened (once: this resets it).</summary>
    public bool TakeReleaseHeld() => Interlocked.Exchange(ref _releaseHeld, 0) == 1;

    /// <summary>Workers' reports can reach this node again: the running attempts get a grace before anything more is claimed.</summary>
    public void ReportsResumed()
    {
        Interlocked.Exchange(ref _graceDue, 1);
        _signals.WakeRunner();
    }

    /// <summary>After an outage (<see cref="ReportsResumed"/>), gives every running attempt its ExpireAfter again from now.</summary>
    public async Task GraceAfterOutageAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _graceDue) == 1)
        {
            // Before anything expired is claimed: the silence of the outage says nothing about the workers.
            var extended = await _store.ExtendRunningAttemptsAsync(_timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            LogGraceAfterOutage(extended);
            Interlocked.Exchange(ref _graceDue, 0);
        }
    }

    /// <summary>Probes the broker once the break is over and no probe is under way (<see cref="ProbeAsync"/>).</summary>
    /// <returns>Whether a probe succeeded (closing the circuit).</returns>
    public async Task<bool> TryProbeAsync(CancellationToken cancellationToken)
    {
        // One probe at a time, once the break is over (Polly lets one execution through then, and fails the others fast).
        if (_circuit.CircuitState == CircuitState.HalfOpen || _timeProvider.GetUtcNow().UtcTicks < Interlocked.Read(ref _probeAfterTicks))
        {
            return false;
        }

        return await ProbeAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The dispatcher's description of a send of <paramref name="message"/>, for the dispatch span and the messaging metrics.</summary>
    public DispatchTelemetry Describe(TaskDue message, string? destinationQueue) => _dispatcher.DescribeDispatch(message, destinationQueue);

    /// <summary>Sends <paramref name="message"/> through the circuit breaker within <paramref name="timeout"/> (<see cref="BoundedAsync"/>).</summary>
    public async ValueTask SendAsync(TaskDue message, string? destinationQueue, TimeSpan timeout, CancellationToken cancellationToken) =>
        await _sends.ExecuteAsync(static (state, ct) => state.Self.SendBoundedAsync(state.message, state.destinationQueue, state.timeout, ct),
            (Self: this, message, destinationQueue, timeout), cancellationToken).ConfigureAwait(false);

    private async ValueTask SendBoundedAsync(TaskDue message, string? destinationQueue, TimeSpan timeout, CancellationToken cancellationToken) =>
        await BoundedAsync(ct => _dispatcher.DispatchAsync(message, destinationQueue, ct), timeout,
            $"accept TaskDue of instance {message.InstanceId} attempt {message.Attempt}", cancellationToken).ConfigureAwait(false);

    /// <summary>Runs one call to the broker within <paramref name="timeout"/> (<see cref="BrokerCall"/>): a call that ignores its token is abandoned
    /// at the timeout, which surfaces as <see cref="TimeoutException"/> and counts towards the circuit breaker.</summary>
    private Task BoundedAsync(Func<CancellationToken, Task> call, TimeSpan timeout, string what, CancellationToken cancellationToken) =>
        BrokerCall.RunAsync(call, timeout, what, "Scheduler:SendTimeout", _timeProvider, cancellationToken);

    /// <summary>Asks the dispatcher, through the circuit breaker and within <see cref="SchedulerOptions.SendTimeout"/>, whether the broker can be
    /// reached; a success closes the circuit.</summary>
    private async Task<bool> ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _sends.ExecuteAsync(static async (self, ct) =>
                await self.BoundedAsync(self._dispatcher.ProbeAsync, self._options.SendTimeout, "answer the probe", ct).ConfigureAwait(false),
                this, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return false; // still failing: the circuit opened again (logged), or another probe is under way
        }
    }

    private void OnSendsFailing(TimeSpan breakDuration, Exception? exception)
    {
        Interlocked.Exchange(ref _probeAfterTicks, (_timeProvider.GetUtcNow() + breakDuration).UtcTicks);
        Interlocked.Exchange(ref _releaseHeld, 1);
        LogSendsFailing(exception, breakDuration.TotalSeconds);
        _signals.WakeRunner();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Sends to the broker are failing: the runner claims nothing, releases the claims it holds, and probes again in {Seconds} s")]
    private partial void LogSendsFailing(Exception? exception, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Workers' reports can arrive again after a broker outage: {Count} running attempts get their ExpireAfter again from now")]
    private partial void LogGraceAfterOutage(int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sends to the broker succeed again: the runner claims as usual")]
    private partial void LogSendsRecovered();
}
