using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scheduler.Contracts;
using Scheduler.Core.Runtime.Runner;
using Scheduler.Core.Storage;

namespace Scheduler.Core.Runtime;

/// <summary>
/// The runner loop: claims task instances due within the execution window (an atomic lease in the store), holds them in memory and dispatches
/// each as <see cref="TaskDue"/> at its due time, never before. An attempt that did not complete by its ExpireAfter is claimed again and
/// dispatched with the next attempt number; the store dead-letters one that was the last allowed attempt.
/// </summary>
/// <remarks>
/// <para>A live node never dispatches on a claim it may have lost: it holds at most <see cref="SchedulerOptions.MaxHeld"/> claims (claiming
/// no more while it is behind), renews the leases of what it holds before they run low, renews before each publish a lease with less than a
/// third of <see cref="SchedulerOptions.LeaseDuration"/> to run (batched with the other publishes that need it), and gives each publish only
/// the time that is left of it. A claim whose lease could not be renewed in time is released (fenced by owner and attempt, so a claim another
/// node took over is left alone). A published claim stays renewed until its dispatch is recorded, so a slow record never lets its lease lapse
/// (another node would take it over with the same attempt number and publish it again).</para>
/// <para>A change of a task through this node (cancel, pause, update: <see cref="LoopSignals.ChangeTaskAsync{T}"/>) runs in step with the
/// loop: the task's publishes in flight are recorded first, none starts while the change runs, and the claims on the task are checked
/// against the store afterwards, so this node publishes nothing the change took back.</para>
/// <para>Every send is bounded by <see cref="SchedulerOptions.SendTimeout"/> (and the lease): a send that times out or fails for the broker's
/// sake releases its claim, the attempt number given back. When sends keep failing, a circuit breaker (Polly's) opens: the loop claims no more,
/// releases what it holds so nodes that can still send take it over, reports <see cref="SendsFailing"/>, and every
/// <see cref="SchedulerOptions.SendRetryInterval"/> asks the dispatcher whether the broker can be reached (<see cref="ITaskDispatcher.ProbeAsync"/>,
/// so the node resumes by itself even when nothing is due); the first probe that succeeds closes the circuit. A dispatch
/// that fails for a reason of its own — an invalid destination, a message the broker refuses (<see cref="DispatchRejectedException"/>) — uses
/// up its attempt: it is retried after the task's backoff, or dead-lettered with the reason after the last attempt.</para>
/// <para>Claims are taken in batches; dispatch records go to the store by group commit, within a round trip of the publish, many per statement.
/// On stop the loop finishes the dispatches in flight (each within its send timeout), records them, and releases the claims it still holds so
/// other nodes take them over.</para>
/// </remarks>
internal sealed partial class RunnerLoop : BackgroundService
{
    private readonly IRunnerStore _store;
    private readonly LoopSignals _signals;
    private readonly SchedulerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<RunnerLoop> _logger;
    private readonly HeldClaims _held;
    private readonly TaskDueSender _sender;
    private readonly DispatchRecorder _recorder;
    private readonly LeaseRenewal _renewal;
    private readonly InstanceClaimer _claimer;
    private readonly TaskChanges _changes;
    private readonly ClaimDispatch _dispatch;
    private readonly Lock _inFlightLock = new();
    private readonly HashSet<Task> _inFlight = [];

    /// <summary>Creates the loop.</summary>
    public RunnerLoop(IRunnerStore store, ITaskDispatcher dispatcher, LoopSignals signals, IOptions<SchedulerOptions> options,
        TimeProvider timeProvider, SchedulerMetrics metrics, ILogger<RunnerLoop> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        _store = store;
        _signals = signals;
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
        // Every part logs in this loop's category (logger).
        _held = new HeldClaims(_options.MaxHeld, signals);
        var deadLetters = new DeadLetterNotifier(dispatcher, metrics, _options.SendTimeout, timeProvider, logger);
        _recorder = new DispatchRecorder(store, _options, timeProvider, metrics, _held, deadLetters, logger);
        _renewal = new LeaseRenewal(store, _options, timeProvider, _held, () => NodeLive, () => ClockOutOfBounds, logger);
        _sender = new TaskDueSender(store, dispatcher, signals, _options, timeProvider, logger);
        _claimer = new InstanceClaimer(store, signals, _options, timeProvider, metrics, _held, _recorder);
        _changes = new TaskChanges(store, _options, timeProvider, _held, _claimer, _renewal, logger);
        var overlap = new OverlapCheck(store, _options, timeProvider, metrics, _held, _recorder, logger);
        _dispatch = new ClaimDispatch(_options, timeProvider, metrics, _held, _renewal, _sender, _recorder, overlap, () => Node, () => Destinations,
            () => ClockOutOfBounds, logger);
        metrics.ObserveRunner(() => ClaimCount, () => DueClaimCount);
        signals.CheckTasks = _renewal.CheckClaimsAsync;
        signals.ReportsResumed = ReportsResumed;
        signals.HoldTask = _changes.HoldTaskAsync;
        signals.ReleaseTask = _changes.ReleaseTaskAsync;
        Heartbeat = new LoopHeartbeat("runner", _options.PollInterval, timeProvider);
    }

    /// <summary>The destinations the node watches for consumers (set by the node's registration); a claim for one that has had no consumer
    /// for the grace is given back to wait, not sent.</summary>
    internal DestinationWatch? Destinations { get; set; }

    /// <summary>This process's run of its node id (set by the node's registration): while it is not live the loop claims, renews, sends and
    /// releases nothing, since a new run of the node id may hold the same claims under the same owner; none in tests of the loop alone.</summary>
    internal NodeRun? Node { get; set; }

    /// <summary>Whether this process's run of its node id is live (always without a <see cref="Node"/>, or before it started: the loop
    /// alone, in tests that drive it by hand).</summary>
    private bool NodeLive => Node is not { Started: true } node || node.IsLive;

    /// <summary>When this loop last completed a claim tick (<see cref="ClaimOnceAsync"/>), for the readiness check.</summary>
    public LoopHeartbeat Heartbeat { get; }

    /// <summary>How many claimed instances this node holds, waiting for their due time.</summary>
    public int HeldCount => _held.HeldCount;

    /// <summary>How many claims this node holds in all: waiting for their due time, or being dispatched and not yet recorded. At most
    /// <see cref="SchedulerOptions.MaxHeld"/>.</summary>
    public int ClaimCount => _held.Count;

    /// <summary>How many of the claims this node holds are due and not yet dispatched (the gauge <c>scheduler.instances.backlog</c>).</summary>
    private int DueClaimCount => _held.DueCount(_timeProvider.GetUtcNow());

    /// <summary>
    /// <see langword="true"/> while sends to the broker are failing: the circuit breaker is open (or testing with a probe), the loop claims
    /// nothing but probes, and the node should report not ready.
    /// </summary>
    public bool SendsFailing => _sender.SendsFailing;

    /// <summary><see langword="true"/> while this node's clock is further from the database's than <see cref="SchedulerOptions.MaxClockOffset"/>
    /// (<see cref="SchedulerClock.IsOutOfBounds"/>): the loop holds and dispatches nothing.</summary>
    public bool ClockOutOfBounds => _timeProvider is SchedulerClock { IsOutOfBounds: true };

    /// <summary>Renews the leases that run low, then claims instances due within the execution window (in batches, up to
    /// <see cref="SchedulerOptions.MaxHeld"/> held in all) and holds them for dispatch; publishes <see cref="TaskDeadLettered"/> for instances
    /// the store dead-lettered because their last attempt expired. While <see cref="SendsFailing"/> it releases what it holds and claims nothing
    /// until a probe of the broker (every <see cref="SchedulerOptions.SendRetryInterval"/>) succeeds. Returns how many instances were claimed.</summary>
    public async Task<int> ClaimOnceAsync(CancellationToken cancellationToken = default)
    {
        var claimed = await ClaimAsync(cancellationToken).ConfigureAwait(false);
        Heartbeat.Beat();
        return claimed;
    }

    /// <summary>
    /// Tells the runner that workers' reports can reach this node again after a broker outage (its sends succeed again, or the node's report
    /// endpoint reconnected): before it claims anything more, every running attempt gets its ExpireAfter again from now
    /// (<see cref="IRunnerStore.ExtendRunningAttemptsAsync"/>), since the silence of the outage says nothing about the workers.
    /// </summary>
    internal void ReportsResumed() => _sender.ReportsResumed();

    /// <summary>Dispatches every held instance whose due time has come and waits until the dispatches are recorded. Returns how many were dispatched.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken cancellationToken = default)
    {
        var batch = _held.TakeDue(_timeProvider.GetUtcNow(), out _);
        return batch.Count > 0 ? await _dispatch.DispatchBatchAsync(batch, cancellationToken).ConfigureAwait(false) : 0;
    }

    /// <summary>Releases every held claim, so other nodes can dispatch those instances. Returns how many were released.</summary>
    public async Task<int> ReleaseHeldAsync(CancellationToken cancellationToken = default)
    {
        if (!NodeLive)
        {
            _held.ForgetWaiting(); // a new run of the node id may hold the same claims: they are left to it, or lapse
            return 0;
        }

        var tokens = _held.TakeWaiting();
        return tokens.Count == 0 ? 0 : await _store.ReleaseClaimsAsync(new ReleaseRequest { Owner = _options.NodeId, Claims = tokens }, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _recorder.Dispose();
        _renewal.Dispose();
        _dispatch.Dispose();
        _claimer.Dispose();
        base.Dispose();
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var dispatching = DispatchLoopAsync(stoppingToken);
        await _signals.Runner.PollAsync(ClaimOnceAsync, _options.PollInterval, _timeProvider, LogClaimFailed, stoppingToken).ConfigureAwait(false);
        await dispatching.ConfigureAwait(false);
        Task[] inFlight;
        lock (_inFlightLock)
        {
            inFlight = [.. _inFlight];
        }

        await Task.WhenAll(inFlight).ConfigureAwait(false);
        try
        {
            var released = await ReleaseHeldAsync(CancellationToken.None).ConfigureAwait(false);
            LogReleased(released);
        }
        catch (Exception ex)
        {
            LogReleaseFailed(ex);
        }
    }

    private async Task<int> ClaimAsync(CancellationToken cancellationToken)
    {
        if (!NodeLive)
        {
            // The run may be taken over (logged by it): its claims are not this process's to renew or release any more.
            _held.ForgetWaiting();
            return 0;
        }

        await _changes.RefreshChangesAsync(cancellationToken).ConfigureAwait(false);

        if (ClockOutOfBounds)
        {
            // Due-ness cannot be trusted: hold nothing, so nodes whose clocks agree with the database dispatch it.
            await ReleaseHeldAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }

        if (SendsFailing)
        {
            if (_sender.TakeReleaseHeld())
            {
                LogReleasedWhileSendsFail(await ReleaseHeldAsync(cancellationToken).ConfigureAwait(false));
            }

            if (!await _sender.TryProbeAsync(cancellationToken).ConfigureAwait(false))
            {
                await _renewal.RenewLeasesAsync(cancellationToken).ConfigureAwait(false);
                return 0;
            }
        }

        await _sender.GraceAfterOutageAsync(cancellationToken).ConfigureAwait(false);
        await _renewal.RenewLeasesAsync(cancellationToken).ConfigureAwait(false);
        return await _claimer.ClaimDueAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task DispatchLoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = _timeProvider.GetUtcNow();
            var batch = _held.TakeDue(now, out var nextDue);
            if (batch.Count > 0)
            {
                // Dispatch outside the loop so instances due a moment later are not held up by this batch's broker round trip.
                var dispatch = _dispatch.DispatchBatchAsync(batch, CancellationToken.None);
                lock (_inFlightLock)
                {
                    _inFlight.Add(dispatch);
                }

                _ = dispatch.ContinueWith(t =>
                {
                    lock (_inFlightLock)
                    {
                        _inFlight.Remove(t);
                    }
                }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                continue;
            }

            var wait = nextDue is { } due ? due - now : _options.PollInterval;
            try
            {
                await _held.Changed.WaitAsync(wait, _timeProvider, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Runner loop could not claim task instances; retrying at the next poll")]
    private partial void LogClaimFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Released {Count} held claims while sends to the broker fail, so nodes that can send take them over")]
    private partial void LogReleasedWhileSendsFail(int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Runner loop stopped and released {Count} held claims")]
    private partial void LogReleased(int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Runner loop could not release its held claims; they run out after the lease")]
    private partial void LogReleaseFailed(Exception exception);
}
