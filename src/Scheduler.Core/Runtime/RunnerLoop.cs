using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
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
public sealed partial class RunnerLoop : BackgroundService
{
    private readonly ITaskStore _store;
    private readonly ITaskDispatcher _dispatcher;
    private readonly DeadLetterNotifier _deadLetters;
    private readonly LoopSignals _signals;
    private readonly SchedulerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly SchedulerMetrics _metrics;
    private readonly ILogger<RunnerLoop> _logger;
    private readonly Lock _lock = new();
    private readonly PriorityQueue<ClaimedInstance, DateTimeOffset> _held = new();
    private readonly Dictionary<Guid, ClaimedInstance> _claims = [];
    // Instances this node sent whose dispatch is not yet recorded: begun, though the store does not know it yet (the overlap check asks).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, byte> _unrecorded = new();
    private readonly Signal _heldChanged = new();
    // Tasks being changed (cancel, pause, update) through this node, with how many changes of each run: their claims are not sent meanwhile.
    private readonly Dictionary<Guid, int> _changing = [];
    // Per task: claims past their last check before the send and not yet recorded (or released); a change waits until none is left.
    private readonly Dictionary<Guid, int> _sending = [];
    private readonly Dictionary<Guid, TaskCompletionSource> _sendsDone = [];
    // Due claims of tasks being changed, put back once the change is done (and their claims checked).
    private readonly List<ClaimedInstance> _deferred = [];
    // Held by a claim from its store call until its claims are in _claims, so the check after a change sees every claim taken before it.
    private readonly SemaphoreSlim _claiming = new(1, 1);
    private readonly SemaphoreSlim _dispatchSlots;
    private readonly HashSet<Task> _inFlight = [];
    private readonly KeyValuePair<string, object?> _node;
    private readonly GroupCommit<DispatchOutcome, bool> _records;
    private readonly GroupCommit<ClaimToken, bool> _releases;
    private readonly GroupCommit<DispatchFailure, bool> _failures;
    private readonly GroupCommit<ClaimToken, bool> _holds;
    private readonly GroupCommit<ClaimToken, bool> _renewals;
    private readonly CircuitBreakerStateProvider _circuit = new();
    private readonly ResiliencePipeline _sends;
    private long _renewFailingSinceTicks; // UTC ticks of the first failed renewal since the last one that succeeded; 0: none
    private int _renewFailingWarned;
    private readonly TimeSpan _leaseMargin;
    private DateTimeOffset _probeAfter;
    private int _releaseHeld;
    private int _graceDue;
    private DateTimeOffset _changesCheckedAt;
    private bool _full;

    /// <summary>Creates the loop.</summary>
    public RunnerLoop(ITaskStore store, ITaskDispatcher dispatcher, LoopSignals signals, IOptions<SchedulerOptions> options,
        TimeProvider timeProvider, SchedulerMetrics metrics, ILogger<RunnerLoop> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        _metrics = metrics;
        _store = store;
        _dispatcher = dispatcher;
        _deadLetters = new DeadLetterNotifier(dispatcher, metrics, options.Value.SendTimeout, timeProvider, logger);
        _signals = signals;
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
        _dispatchSlots = new SemaphoreSlim(_options.MaxConcurrentDispatches, _options.MaxConcurrentDispatches);
        _node = metrics.Node;
        metrics.ObserveRunner(() => ClaimCount, () => DueClaimCount);
        _changesCheckedAt = timeProvider.GetUtcNow();
        _leaseMargin = _options.LeaseDuration / 3;
        _records = new GroupCommit<DispatchOutcome, bool>(RecordBatchAsync);
        _releases = new GroupCommit<ClaimToken, bool>(ReleaseBatchAsync);
        _failures = new GroupCommit<DispatchFailure, bool>(FailBatchAsync);
        _holds = new GroupCommit<ClaimToken, bool>(HoldBatchAsync);
        _renewals = new GroupCommit<ClaimToken, bool>((claims, ct) => RenewClaimsAsync(claims, afterChange: false, ct));
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
        signals.CheckTasks = CheckClaimsAsync;
        signals.ReportsResumed = ReportsResumed;
        signals.HoldTask = HoldTaskAsync;
        signals.ReleaseTask = ReleaseTaskAsync;
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
    public int HeldCount
    {
        get
        {
            lock (_lock)
            {
                return _held.Count + _deferred.Count;
            }
        }
    }

    /// <summary>How many claims this node holds in all: waiting for their due time, or being dispatched and not yet recorded. At most
    /// <see cref="SchedulerOptions.MaxHeld"/>.</summary>
    public int ClaimCount
    {
        get
        {
            lock (_lock)
            {
                return _claims.Count;
            }
        }
    }

    /// <summary>How many of the claims this node holds are due and not yet dispatched (the gauge <c>scheduler.instances.backlog</c>).</summary>
    private int DueClaimCount
    {
        get
        {
            var now = _timeProvider.GetUtcNow();
            lock (_lock)
            {
                return _claims.Values.Count(c => (c.Instance.DueAt ?? c.Instance.FireTime) <= now);
            }
        }
    }

    /// <summary>
    /// <see langword="true"/> while sends to the broker are failing: the circuit breaker is open (or testing with a probe), the loop claims
    /// nothing but probes, and the node should report not ready.
    /// </summary>
    public bool SendsFailing => _circuit.CircuitState != CircuitState.Closed;

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
    internal void ReportsResumed()
    {
        Interlocked.Exchange(ref _graceDue, 1);
        _signals.WakeRunner();
    }

    private async Task<int> ClaimAsync(CancellationToken cancellationToken)
    {
        if (!NodeLive)
        {
            // The run may be taken over (logged by it): its claims are not this process's to renew or release any more.
            ForgetHeld();
            return 0;
        }

        await RefreshChangesAsync(cancellationToken).ConfigureAwait(false);

        if (ClockOutOfBounds)
        {
            // Due-ness cannot be trusted: hold nothing, so nodes whose clocks agree with the database dispatch it.
            await ReleaseHeldAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }

        if (SendsFailing)
        {
            if (Interlocked.Exchange(ref _releaseHeld, 0) == 1)
            {
                LogReleasedWhileSendsFail(await ReleaseHeldAsync(cancellationToken).ConfigureAwait(false));
            }

            // One probe at a time, once the break is over (Polly lets one execution through then, and fails the others fast).
            if (_circuit.CircuitState == CircuitState.HalfOpen || _timeProvider.GetUtcNow() < _probeAfter || !await ProbeAsync(cancellationToken).ConfigureAwait(false))
            {
                await RenewLeasesAsync(cancellationToken).ConfigureAwait(false);
                return 0;
            }
        }

        if (Volatile.Read(ref _graceDue) == 1)
        {
            // Before anything expired is claimed: the silence of the outage says nothing about the workers.
            var extended = await _store.ExtendRunningAttemptsAsync(_timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            LogGraceAfterOutage(extended);
            Interlocked.Exchange(ref _graceDue, 0);
        }

        await RenewLeasesAsync(cancellationToken).ConfigureAwait(false);
        var total = 0;
        while (true)
        {
            int room;
            lock (_lock)
            {
                room = _options.MaxHeld - _claims.Count;
                _full = room <= 0;
            }

            if (room <= 0)
            {
                return total; // behind: claim more once dispatches catch up (they wake this loop)
            }

            var want = Math.Min(_options.ClaimBatchSize, room);
            var now = _timeProvider.GetUtcNow();
            var span = SchedulerTracing.StartLoopBatch("scheduler.claim", _options.NodeId);
            ClaimResult result;
            await _claiming.WaitAsync(cancellationToken).ConfigureAwait(false);
            var dropped = new List<ClaimToken>();
            try
            {
                try
                {
                    result = await _store.ClaimDueInstancesAsync(new ClaimRequest
                    {
                        Owner = _options.NodeId,
                        Now = now,
                        Horizon = now + _options.ExecutionWindow,
                        LeaseDuration = _options.LeaseDuration,
                        MaxCount = want,
                        ExpiredAttempts = _signals.ReportsArriving,
                    }, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    SchedulerTracing.Fail(span, ex);
                    throw;
                }

                lock (_lock)
                {
                    foreach (var claim in result.Claimed)
                    {
                        if (claim.TaskCancelled)
                        {
                            dropped.Add(Token(claim)); // a retry, or an expired attempt, of a cancelled task: never a new attempt
                            continue;
                        }

                        _claims[claim.Instance.Id] = claim;
                        _held.Enqueue(claim, claim.Instance.DueAt ?? now);
                    }
                }
            }
            finally
            {
                _claiming.Release();
            }

            span?.SetTag("scheduler.instances", result.Claimed.Count);
            span?.SetTag("scheduler.dead_lettered", result.DeadLettered.Count);
            SchedulerTracing.EndLoopBatch(span, result.Claimed.Count + result.DeadLettered.Count > 0);
            total += result.Claimed.Count;
            _metrics.Claimed.Add(result.Claimed.Count, _node);
            if (result.Claimed.Count > dropped.Count)
            {
                _heldChanged.Set();
            }

            if (dropped.Count > 0)
            {
                await _store.EndClaimsAsync(new EndClaimsRequest
                {
                    Owner = _options.NodeId, Claims = dropped, Status = TaskInstanceState.Cancelled, At = now,
                }, cancellationToken).ConfigureAwait(false);
            }

            await PublishDeadLetteredAsync(result.DeadLettered.Select(i => (i, i.LastError ?? TaskInstanceLifecycle.ExpiryReason(i))).ToList(), DeadLetterCause.Expired, now)
                .ConfigureAwait(false);
            if (result.Claimed.Count < want)
            {
                return total;
            }
        }
    }

    /// <summary>
    /// Extends the leases of held claims whose lease has less than half of <see cref="SchedulerOptions.LeaseDuration"/> left; a claim the store
    /// no longer holds for this node (taken over after it lapsed, cancelled, or taken back by a pause or an update) is dropped, never dispatched.
    /// </summary>
    private Task RenewLeasesAsync(CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        return RenewAsync(c => c.Instance.LeaseExpiresAt - now < _options.LeaseDuration / 2, afterChange: false, cancellationToken);
    }

    /// <summary>Checks the claims held on instances of <paramref name="definitionIds"/> against the store at once (by renewing them), dropping
    /// those it no longer holds for this node: a task was cancelled, paused or updated.</summary>
    private Task CheckClaimsAsync(IReadOnlyCollection<Guid> definitionIds, CancellationToken cancellationToken) =>
        RenewAsync(c => definitionIds.Contains(c.Instance.DefinitionId), afterChange: true, cancellationToken);

    /// <param name="which">The claims to renew.</param>
    /// <param name="afterChange">Whether their tasks just changed (a claim lost then was taken back by the change: expected, not a lapse).</param>
    /// <param name="cancellationToken">Stops the renewal.</param>
    private async Task RenewAsync(Func<ClaimedInstance, bool> which, bool afterChange, CancellationToken cancellationToken)
    {
        List<ClaimToken> chosen;
        lock (_lock)
        {
            chosen = _claims.Values.Where(which).Select(Token).ToList();
        }

        if (chosen.Count == 0)
        {
            return;
        }

        try
        {
            await RenewClaimsAsync(chosen, afterChange, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            RenewFailed(ex, chosen.Count); // the check before each publish still keeps a lapsed claim from being dispatched
        }
    }

    /// <summary>Extends the leases of <paramref name="chosen"/> to now plus <see cref="SchedulerOptions.LeaseDuration"/> in one store call; a
    /// claim the store no longer holds for this node is dropped (logged by why it may have been lost).</summary>
    /// <returns>Per claim, in order, whether it is still held (renewed).</returns>
    private async Task<IReadOnlyList<bool>> RenewClaimsAsync(IReadOnlyList<ClaimToken> chosen, bool afterChange, CancellationToken cancellationToken)
    {
        if (!NodeLive)
        {
            // Not renewed, and no longer this process's: a new run of the node id may take them over, or they lapse and are claimed again.
            // Kept, a claim taken off the heap for its send would stay held but never sent, and be renewed for good once the run is live again.
            lock (_lock)
            {
                foreach (var token in chosen)
                {
                    if (_claims.TryGetValue(token.InstanceId, out var claim) && claim.Instance.Attempt == token.Attempt)
                    {
                        _claims.Remove(token.InstanceId);
                    }
                }
            }

            return chosen.Select(_ => false).ToList();
        }

        var until = _timeProvider.GetUtcNow() + _options.LeaseDuration;
        var renewed = (await _store.RenewLeasesAsync(new LeaseRenewalRequest { Owner = _options.NodeId, Claims = chosen, LeaseExpiresAt = until },
            cancellationToken).ConfigureAwait(false)).ToHashSet();
        RenewSucceeded();
        var lost = new List<ClaimToken>();
        lock (_lock)
        {
            foreach (var token in chosen)
            {
                if (!_claims.TryGetValue(token.InstanceId, out var claim) || claim.Instance.Attempt != token.Attempt)
                {
                    continue;
                }

                if (renewed.Contains(token.InstanceId))
                {
                    claim.Instance.LeaseExpiresAt = until;
                }
                else
                {
                    _claims.Remove(token.InstanceId); // lost: whoever holds it now dispatches it; the dispatch loop skips it
                    if (_unrecorded.ContainsKey(token.InstanceId))
                    {
                        LogSentClaimSettled(token.InstanceId, token.Attempt); // sent, and its worker's outcome was recorded before the dispatch
                    }
                    else if (afterChange)
                    {
                        LogClaimTakenBack(token.InstanceId, token.Attempt);
                    }
                    else
                    {
                        lost.Add(token);
                    }
                }
            }
        }

        if (lost.Count > 0)
        {
            await LogLostClaimsAsync(lost, cancellationToken).ConfigureAwait(false);
        }

        return chosen.Select(token => renewed.Contains(token.InstanceId)).ToList();
    }

    /// <summary>A renewal failed (the database, briefly): harmless once, since a claim whose lease runs low is released rather than sent, so it is
    /// logged at Debug; a Warning once renewals have failed for half a lease, when this node's claims start to lapse and be released.</summary>
    private void RenewFailed(Exception exception, int count)
    {
        var now = _timeProvider.GetUtcNow();
        var since = Interlocked.CompareExchange(ref _renewFailingSinceTicks, now.UtcTicks, 0);
        var failingFor = since == 0 ? TimeSpan.Zero : now - new DateTimeOffset(since, TimeSpan.Zero);
        if (failingFor >= _options.LeaseDuration / 2 && Interlocked.Exchange(ref _renewFailingWarned, 1) == 0)
        {
            LogRenewFailing(exception, count, failingFor.TotalSeconds);
        }
        else
        {
            LogRenewFailed(exception, count);
        }
    }

    private void RenewSucceeded()
    {
        if (Interlocked.Exchange(ref _renewFailingSinceTicks, 0) != 0 && Interlocked.Exchange(ref _renewFailingWarned, 0) == 1)
        {
            LogRenewingAgain();
        }
    }

    /// <summary>Logs why claims this node held were not renewed, from their rows (one read): taken back by a change of the task (on this node
    /// or another, before this node's runner polled for it: the row is gone, or cancelled or skipped) is what an operator asked for; taken
    /// over after the lease lapsed (the row is another node's claim, or moved on) means this node fell behind, a Warning.</summary>
    private async Task LogLostClaimsAsync(IReadOnlyList<ClaimToken> lost, CancellationToken cancellationToken)
    {
        Dictionary<Guid, TaskInstance> rows;
        try
        {
            rows = (await _store.GetInstancesByIdAsync([.. lost.Select(t => t.InstanceId)], cancellationToken).ConfigureAwait(false))
                .ToDictionary(i => i.Id);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            foreach (var token in lost)
            {
                LogClaimLost(token.InstanceId, token.Attempt); // unknown why: the Warning stands
            }

            return;
        }

        foreach (var token in lost)
        {
            if (rows.GetValueOrDefault(token.InstanceId) is null or { Status: TaskInstanceState.Cancelled or TaskInstanceState.Skipped })
            {
                LogClaimTakenBack(token.InstanceId, token.Attempt);
            }
            else
            {
                LogClaimLost(token.InstanceId, token.Attempt);
            }
        }
    }

    /// <summary>
    /// The lease of <paramref name="claim"/> for a send: when less than a third of <see cref="SchedulerOptions.LeaseDuration"/> is left (the node
    /// fell behind: a busy machine or database, a burst larger than it sends in one lease), it is renewed first, batched with the other claims
    /// about to be sent (<see cref="_renewals"/>), rather than given up. <see langword="null"/> when the claim is no longer held.
    /// </summary>
    private async Task<DateTimeOffset?> LeaseForSendAsync(ClaimedInstance claim)
    {
        DateTimeOffset? lease;
        lock (_lock)
        {
            lease = _claims.TryGetValue(claim.Instance.Id, out var held) && ReferenceEquals(held, claim) ? claim.Instance.LeaseExpiresAt : null;
        }

        if (lease is not { } current || current - _timeProvider.GetUtcNow() >= _leaseMargin || ClockOutOfBounds)
        {
            return lease;
        }

        try
        {
            if (!await _renewals.WriteAsync(Token(claim)).ConfigureAwait(false))
            {
                return null; // lost; logged by the renewal
            }
        }
        catch (Exception ex)
        {
            RenewFailed(ex, 1); // the lease check before the send releases the claim
        }

        lock (_lock)
        {
            return _claims.TryGetValue(claim.Instance.Id, out var held) && ReferenceEquals(held, claim) ? claim.Instance.LeaseExpiresAt : null;
        }
    }

    /// <summary>
    /// The start of a change of task <paramref name="taskId"/> through this node (<see cref="LoopSignals.ChangeTaskAsync{T}"/>): its claims
    /// are not sent from now on, and this waits until its sends in flight are recorded (or released), so that the change finds each of them
    /// either recorded as dispatched or not sent at all.
    /// </summary>
    private async Task HoldTaskAsync(Guid taskId, CancellationToken cancellationToken)
    {
        Task sendsDone;
        lock (_lock)
        {
            _changing[taskId] = _changing.GetValueOrDefault(taskId) + 1;
            sendsDone = _sending.GetValueOrDefault(taskId) == 0 ? Task.CompletedTask
                : (_sendsDone.TryGetValue(taskId, out var done) ? done : _sendsDone[taskId] = new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }

        await sendsDone.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The end of a change of task <paramref name="taskId"/>: checks the claims this node holds on it against the store — every claim taken
    /// before the change included (a claim whose store call is under way is awaited) — dropping those the change took back, then sends its
    /// claims again. A check that fails drops them unsent: they run out and are claimed again after the lease.
    /// </summary>
    private async Task ReleaseTaskAsync(Guid taskId)
    {
        try
        {
            await _claiming.WaitAsync().ConfigureAwait(false);
            List<ClaimToken> tokens;
            try
            {
                lock (_lock)
                {
                    tokens = _claims.Values.Where(c => c.Instance.DefinitionId == taskId).Select(Token).ToList();
                }
            }
            finally
            {
                _claiming.Release();
            }

            if (tokens.Count > 0)
            {
                try
                {
                    await RenewClaimsAsync(tokens, afterChange: true, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    LogChangeCheckFailed(ex, tokens.Count, taskId);
                    lock (_lock)
                    {
                        tokens.ForEach(t => _claims.Remove(t.InstanceId));
                    }
                }
            }
        }
        finally
        {
            lock (_lock)
            {
                if (_changing[taskId] == 1)
                {
                    _changing.Remove(taskId);
                    foreach (var claim in _deferred.Where(c => c.Instance.DefinitionId == taskId).ToList())
                    {
                        _deferred.Remove(claim);
                        _held.Enqueue(claim, claim.Instance.DueAt ?? claim.Instance.FireTime);
                    }
                }
                else
                {
                    _changing[taskId]--;
                }
            }

            _heldChanged.Set();
        }
    }

    /// <summary>Whether <paramref name="claim"/> may be sent now: it is still held, and its task is not being changed (then it is deferred
    /// until the change is done). Counts it as sending until <see cref="EndSend"/>.</summary>
    private bool BeginSend(ClaimedInstance claim)
    {
        lock (_lock)
        {
            if (!_claims.TryGetValue(claim.Instance.Id, out var held) || !ReferenceEquals(held, claim))
            {
                return false; // lost at a renewal (taken over, or cancelled): logged there, and no longer ours to release
            }

            var taskId = claim.Instance.DefinitionId;
            if (_changing.ContainsKey(taskId))
            {
                _deferred.Add(claim);
                return false;
            }

            _sending[taskId] = _sending.GetValueOrDefault(taskId) + 1;
            return true;
        }
    }

    private void EndSend(ClaimedInstance claim)
    {
        var taskId = claim.Instance.DefinitionId;
        TaskCompletionSource? done = null;
        lock (_lock)
        {
            if (_sending[taskId] == 1)
            {
                _sending.Remove(taskId);
                if (_sendsDone.Remove(taskId, out done))
                {
                    // completed below, outside the lock
                }
            }
            else
            {
                _sending[taskId]--;
            }
        }

        done?.TrySetResult();
    }

    /// <summary>
    /// Learns which definitions were cancelled, paused or updated since the last look (on any node) and checks the claims held on their
    /// instances, so the occurrences such a change took back are dropped instead of dispatched. Looks once per poll interval.
    /// </summary>
    private async Task RefreshChangesAsync(CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        if (now - _changesCheckedAt < _options.PollInterval)
        {
            return; // claims run on every wake-up too; other nodes' changes need looking up only once per poll interval
        }

        var since = _changesCheckedAt - _options.PollInterval; // overlap, so a change committed during the last look is not missed
        var changed = await _store.GetDefinitionsChangedSinceAsync(since, cancellationToken).ConfigureAwait(false);
        _changesCheckedAt = now;
        if (changed.Count > 0)
        {
            await CheckClaimsAsync(changed.ToHashSet(), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Dispatches every held instance whose due time has come and waits until the dispatches are recorded. Returns how many were dispatched.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken cancellationToken = default)
    {
        var batch = TakeDue(_timeProvider.GetUtcNow(), out _);
        return batch.Count > 0 ? await DispatchBatchAsync(batch, cancellationToken).ConfigureAwait(false) : 0;
    }

    /// <summary>Releases every held claim, so other nodes can dispatch those instances. Returns how many were released.</summary>
    public async Task<int> ReleaseHeldAsync(CancellationToken cancellationToken = default)
    {
        if (!NodeLive)
        {
            ForgetHeld(); // a new run of the node id may hold the same claims: they are left to it, or lapse
            return 0;
        }

        List<ClaimToken> tokens;
        lock (_lock)
        {
            tokens = _held.UnorderedItems.Select(item => Token(item.Element)).Concat(_deferred.Select(Token)).ToList();
            foreach (var token in tokens)
            {
                _claims.Remove(token.InstanceId);
            }

            _held.Clear();
            _deferred.Clear();
        }

        return tokens.Count == 0 ? 0 : await _store.ReleaseClaimsAsync(new ReleaseRequest { Owner = _options.NodeId, Claims = tokens }, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Forgets every held claim without touching the store.</summary>
    private void ForgetHeld()
    {
        lock (_lock)
        {
            foreach (var item in _held.UnorderedItems)
            {
                _claims.Remove(item.Element.Instance.Id);
            }

            foreach (var claim in _deferred)
            {
                _claims.Remove(claim.Instance.Id);
            }

            _held.Clear();
            _deferred.Clear();
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var dispatching = DispatchLoopAsync(stoppingToken);
        await _signals.Runner.PollAsync(ClaimOnceAsync, _options.PollInterval, _timeProvider, LogClaimFailed, stoppingToken).ConfigureAwait(false);
        await dispatching.ConfigureAwait(false);
        Task[] inFlight;
        lock (_lock)
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

    private async Task DispatchLoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = _timeProvider.GetUtcNow();
            var batch = TakeDue(now, out var nextDue);
            if (batch.Count > 0)
            {
                // Dispatch outside the loop so instances due a moment later are not held up by this batch's broker round trip.
                var dispatch = DispatchBatchAsync(batch, CancellationToken.None);
                lock (_lock)
                {
                    _inFlight.Add(dispatch);
                }

                _ = dispatch.ContinueWith(t =>
                {
                    lock (_lock)
                    {
                        _inFlight.Remove(t);
                    }
                }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                continue;
            }

            var wait = nextDue is { } due ? due - now : _options.PollInterval;
            try
            {
                await _heldChanged.WaitAsync(wait, _timeProvider, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private List<ClaimedInstance> TakeDue(DateTimeOffset now, out DateTimeOffset? nextDue)
    {
        var batch = new List<ClaimedInstance>();
        lock (_lock)
        {
            while (_held.TryPeek(out var claim, out var due) && due <= now)
            {
                _held.Dequeue();
                if (!_claims.TryGetValue(claim.Instance.Id, out var held) || !ReferenceEquals(held, claim))
                {
                    continue; // lost at a renewal
                }

                if (_changing.ContainsKey(claim.Instance.DefinitionId))
                {
                    _deferred.Add(claim); // its task is being changed: put back once the change is done and the claim checked
                    continue;
                }

                batch.Add(claim);
            }

            nextDue = _held.TryPeek(out _, out var next) ? next : null;
        }

        return batch;
    }

    private async Task<int> DispatchBatchAsync(List<ClaimedInstance> batch, CancellationToken cancellationToken)
    {
        if (batch.Any(OverlapRule.Applies))
        {
            batch = await ApplyOverlapAsync(batch, cancellationToken).ConfigureAwait(false);
        }

        var results = await Task.WhenAll(batch.Select(claim => DispatchOneAsync(claim, cancellationToken))).ConfigureAwait(false);
        return results.Count(dispatched => dispatched);
    }

    /// <summary>
    /// Applies the overlap policy to the occurrences of recurring tasks in <paramref name="batch"/> (<see cref="OverlapRule"/>): one store
    /// query for their tasks' open occurrences, then skipped ones end Skipped and waiting ones are released until one poll interval later.
    /// </summary>
    /// <returns>The claims to dispatch. When the store cannot be asked, the checked claims are released (they come due again) and the rest
    /// dispatched.</returns>
    private async Task<List<ClaimedInstance>> ApplyOverlapAsync(List<ClaimedInstance> batch, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        var dispatch = new List<ClaimedInstance>(batch.Count);
        var skipped = new List<(ClaimedInstance Claim, string Reason)>();
        var waiting = new List<ClaimedInstance>();
        try
        {
            var tasks = batch.Where(OverlapRule.Applies).Select(c => c.Instance.DefinitionId).ToHashSet();
            var open = (await _store.GetOpenOccurrencesAsync(tasks, cancellationToken).ConfigureAwait(false))
                .Select(o => !o.Begun && _unrecorded.ContainsKey(o.InstanceId) ? o with { Begun = true } : o).ToList();
            var decisions = OverlapRule.Decide(batch, open);
            for (var n = 0; n < batch.Count; n++)
            {
                switch (decisions[n].Decision)
                {
                    case OverlapDecision.Skip:
                        skipped.Add((batch[n], decisions[n].Reason!));
                        break;
                    case OverlapDecision.Wait:
                        waiting.Add(batch[n]);
                        break;
                    default:
                        dispatch.Add(batch[n]);
                        break;
                }
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogOverlapCheckFailed(ex);
            waiting = batch.Where(OverlapRule.Applies).ToList();
            dispatch = batch.Where(c => !OverlapRule.Applies(c)).ToList();
        }

        try
        {
            foreach (var (claim, reason) in skipped)
            {
                Forget(claim);
                LogSkipped(claim.Instance.Id, claim.Instance.DefinitionId, reason);
                await _store.EndClaimsAsync(new EndClaimsRequest
                {
                    Owner = _options.NodeId, Claims = [Token(claim)], Status = TaskInstanceState.Skipped, At = now, Reason = reason,
                }, cancellationToken).ConfigureAwait(false);
            }

            _metrics.Skipped.Add(skipped.Count, _node);
            if (waiting.Count > 0)
            {
                waiting.ForEach(Forget);
                await _store.ReleaseClaimsAsync(new ReleaseRequest
                {
                    Owner = _options.NodeId, Claims = waiting.Select(Token).ToList(), DueAt = now + _options.PollInterval,
                }, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogRecordFailed(ex, skipped.Count + waiting.Count); // the claims run out and come due again; the check runs again then
        }

        return dispatch;
    }

    private async Task<bool> DispatchOneAsync(ClaimedInstance claim, CancellationToken cancellationToken)
    {
        var instance = claim.Instance;
        DispatchOutcome? outcome = null;
        DispatchFailure? failure = null;
        var waits = false;
        var forgotten = false;
        System.Diagnostics.Activity? span = null;
        await _dispatchSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        var dispatchedAt = _timeProvider.GetUtcNow();
        try
        {
            var leaseExpiresAt = await LeaseForSendAsync(claim).ConfigureAwait(false);
            dispatchedAt = _timeProvider.GetUtcNow();
            if (leaseExpiresAt is not { } lease || !BeginSend(claim))
            {
                return false; // lost at a renewal (taken over, or cancelled: logged there, and no longer ours to release), or deferred
            }

            if (Node is { Started: true } node && (!node.IsLive || node.LiveUntil - dispatchedAt < _options.NodeLivenessTimeout / 3))
            {
                // The node's run is no longer (or not long enough) known to be live: a new run of its node id may take this claim over.
                forgotten = true;
            }
            else if (ClockOutOfBounds)
            {
                // released below; logged by the clock's alignment loop
            }
            else if (lease - dispatchedAt < _leaseMargin)
            {
                // Too close to the end of the lease (the node fell behind): another node may take the claim over at any moment.
                LogLeaseTooShort(instance.Id, instance.Attempt, lease);
            }
            else if (DestinationQueueName.Validate(claim.DestinationQueue) is { } invalid)
            {
                // Commands are validated, so only a row written to the database by hand or another tool gets here: refused rather than sent,
                // so the broker never closes a channel over it; each attempt is used up, so the instance ends dead-lettered with the reason.
                failure = Failure(instance, dispatchedAt, $"Attempt {instance.Attempt} was not dispatched: {invalid}");
            }
            else if (claim.DestinationQueue is { } queue && Destinations?.IsWithoutConsumer(queue) == true)
            {
                waits = true; // nobody reads that queue: the task waits (given back below), using no attempt
            }
            else
            {
                var message = new TaskDue
                {
                    TaskId = instance.DefinitionId,
                    InstanceId = instance.Id,
                    Attempt = instance.Attempt,
                    MaxAttempts = instance.Retry.MaxAttempts,
                    FireTime = instance.FireTime,
                    DueAt = instance.DueAt ?? instance.FireTime,
                    StartBy = dispatchedAt + _options.QueueTimeout,
                    ExpiresAt = dispatchedAt + _options.QueueTimeout + instance.ExpireAfter,
                    ExpireAfter = instance.ExpireAfter,
                    Metadata = claim.Metadata,
                    Payload = claim.Payload,
                };

                // The send may take SendTimeout, and never more than what is left of the lease before half the margin: it ends before
                // another node can claim.
                // Nor past the node's liveness: a new run of its node id may take its claims over after that.
                var timeout = TimeSpan.FromTicks(Math.Min(_options.SendTimeout.Ticks, (lease - (_leaseMargin / 2) - dispatchedAt).Ticks));
                if (Node is { Started: true } live && live.LiveUntil - dispatchedAt < timeout)
                {
                    timeout = live.LiveUntil - dispatchedAt;
                }

                _unrecorded.TryAdd(instance.Id, 0);
                span = SchedulerTracing.StartDispatch(claim, _options.NodeId); // MassTransit's send span nests under it
                await _sends.ExecuteAsync(static (state, ct) => state.Self.SendAsync(state.message, state.DestinationQueue, state.timeout, ct),
                    (Self: this, message, claim.DestinationQueue, timeout), cancellationToken).ConfigureAwait(false);
                _metrics.Dispatched.Add(1, _node);
                var lateness = (dispatchedAt - message.DueAt).TotalMilliseconds;
                _metrics.Lateness.Record(lateness, _node);
                LogDispatched(instance.Id, instance.DefinitionId, instance.Attempt, claim.DestinationQueue ?? "(published)", lateness);
                outcome = new DispatchOutcome(instance.Id, instance.Attempt, dispatchedAt);
            }
        }
        catch (BrokenCircuitException ex)
        {
            SchedulerTracing.Fail(span, ex);
            _metrics.DispatchFailures.Add(1, _node); // sends are failing: logged once when the circuit opened; the claim is released
        }
        catch (DispatchRejectedException ex)
        {
            SchedulerTracing.Fail(span, ex);
            LogDispatchRejected(ex, instance.Id, instance.Attempt);
            _metrics.DispatchFailures.Add(1, _node);
            failure = Failure(instance, dispatchedAt, $"Attempt {instance.Attempt} was refused by the broker: {ex.Message}");
        }
        catch (Exception ex)
        {
            SchedulerTracing.Fail(span, ex);
            LogDispatchFailed(ex, instance.Id, instance.Attempt);
            _metrics.DispatchFailures.Add(1, _node);
        }
        finally
        {
            span?.Dispose();
            _dispatchSlots.Release();
        }

        try
        {
            using var recorded = new Unrecorded(_unrecorded, instance.Id);
            if (outcome is not null)
            {
                await _records.WriteAsync(outcome).ConfigureAwait(false);
            }
            else if (failure is not null)
            {
                if (!await _failures.WriteAsync(failure).ConfigureAwait(false))
                {
                    // the claim was lost meanwhile: whoever holds it now decides
                }
                else if (failure.RetryAt is not null)
                {
                    _metrics.Retried.Add(1, _node);
                }
                else
                {
                    instance.FailedAt = failure.At;
                    await PublishDeadLetteredAsync([(instance, failure.Error)], DeadLetterCause.DispatchRefused, failure.At).ConfigureAwait(false);
                }
            }
            else if (waits)
            {
                await _holds.WriteAsync(Token(claim)).ConfigureAwait(false);
            }
            else if (forgotten)
            {
                // Not this process's to release: it lapses, or a new run of the node id takes it back (logged by the node's run).
            }
            else
            {
                await _releases.WriteAsync(Token(claim)).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            // The claim runs out on its own; the instance is then dispatched again (at-least-once), so nothing is lost.
            LogRecordFailed(ex, 1);
        }
        finally
        {
            // Recorded, released or given up: no longer renewed, no longer counted against MaxHeld. Until then the claim is renewed like a held
            // one: a sent TaskDue whose record is slow (a busy database) must not let the lease lapse, or another node would take the claim
            // over with the same attempt number and send it again.
            Forget(claim);
            EndSend(claim);
        }

        return outcome is not null;
    }

    /// <summary>Takes an instance out of <see cref="_unrecorded"/> once its outcome is written (or given up on).</summary>
    private readonly struct Unrecorded(System.Collections.Concurrent.ConcurrentDictionary<Guid, byte> unrecorded, Guid instanceId) : IDisposable
    {
        public void Dispose() => unrecorded.TryRemove(instanceId, out _);
    }

    /// <summary>Sends <paramref name="message"/> within <paramref name="timeout"/> (<see cref="BoundedAsync"/>).</summary>
    private async ValueTask SendAsync(TaskDue message, string? destinationQueue, TimeSpan timeout, CancellationToken cancellationToken) =>
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

    /// <summary>The used-up attempt of a dispatch that failed for its own sake: the next one after the task's backoff, or none after the last.</summary>
    private static DispatchFailure Failure(TaskInstance instance, DateTimeOffset now, string error) =>
        new(instance.Id, instance.Attempt, now, error, TaskInstanceLifecycle.RetryAt(instance, instance.Attempt, now));

    private void OnSendsFailing(TimeSpan breakDuration, Exception? exception)
    {
        _probeAfter = _timeProvider.GetUtcNow() + breakDuration;
        Interlocked.Exchange(ref _releaseHeld, 1);
        LogSendsFailing(exception, breakDuration.TotalSeconds);
        _signals.WakeRunner();
    }

    private void Forget(ClaimedInstance claim)
    {
        bool wake;
        lock (_lock)
        {
            if (_claims.TryGetValue(claim.Instance.Id, out var held) && ReferenceEquals(held, claim))
            {
                _claims.Remove(claim.Instance.Id);
            }

            wake = _full && _claims.Count <= _options.MaxHeld / 2;
            if (wake)
            {
                _full = false;
            }
        }

        if (wake)
        {
            _signals.WakeRunner(); // room again: claim the next batch now rather than at the next poll
        }
    }

    /// <summary>
    /// Records a batch of dispatches in one statement or, when that fails (at SERIALIZABLE it conflicts with every saga that writes an outcome of
    /// one of its instances meanwhile, and its retries can keep losing), one at a time: such a transaction conflicts only with the writer of its
    /// own row, and its retry then finds the fence closed and skips it. A dispatch left unrecorded is dispatched again after its claim runs out.
    /// </summary>
    private async Task<IReadOnlyList<bool>> RecordBatchAsync(IReadOnlyList<DispatchOutcome> dispatched, CancellationToken cancellationToken)
    {
        var all = new bool[dispatched.Count];
        Array.Fill(all, true);
        try
        {
            await _store.RecordDispatchesAsync(new DispatchRecordRequest { Owner = _options.NodeId, Outcomes = dispatched, QueueTimeout = _options.QueueTimeout }, cancellationToken)
                .ConfigureAwait(false);
            return all;
        }
        catch (Exception ex) when (dispatched.Count > 1)
        {
            LogRecordBatchFailed(ex, dispatched.Count);
        }

        for (var n = 0; n < dispatched.Count; n++)
        {
            try
            {
                await _store.RecordDispatchesAsync(new DispatchRecordRequest { Owner = _options.NodeId, Outcomes = [dispatched[n]], QueueTimeout = _options.QueueTimeout },
                        cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                all[n] = false;
                LogRecordFailed(ex, 1);
            }
        }

        return all;
    }

    private async Task<IReadOnlyList<bool>> FailBatchAsync(IReadOnlyList<DispatchFailure> failures, CancellationToken cancellationToken)
    {
        var failed = (await _store.FailDispatchesAsync(new DispatchFailureRequest { Owner = _options.NodeId, Failures = failures }, cancellationToken)
            .ConfigureAwait(false)).ToHashSet();
        return failures.Select(f => failed.Contains(f.InstanceId)).ToList();
    }

    private async Task<IReadOnlyList<bool>> ReleaseBatchAsync(IReadOnlyList<ClaimToken> claims, CancellationToken cancellationToken)
    {
        await _store.ReleaseClaimsAsync(new ReleaseRequest { Owner = _options.NodeId, Claims = claims }, cancellationToken).ConfigureAwait(false);
        var all = new bool[claims.Count];
        Array.Fill(all, true);
        return all;
    }

    private async Task PublishDeadLetteredAsync(IReadOnlyList<(TaskInstance Instance, string Reason)> deadLettered, DeadLetterCause cause, DateTimeOffset now)
    {
        foreach (var (instance, reason) in deadLettered)
        {
            await _deadLetters.NotifyAsync(instance, reason, cause, instance.FailedAt ?? now).ConfigureAwait(false);
        }
    }

    /// <summary>Gives back claims whose destination has no consumer, due again when the destination is next checked (a third of the grace).</summary>
    private async Task<IReadOnlyList<bool>> HoldBatchAsync(IReadOnlyList<ClaimToken> claims, CancellationToken cancellationToken)
    {
        await _store.ReleaseClaimsAsync(new ReleaseRequest
        {
            Owner = _options.NodeId, Claims = claims, DueAt = _timeProvider.GetUtcNow() + (_options.DestinationGrace / 3),
        }, cancellationToken).ConfigureAwait(false);
        var all = new bool[claims.Count];
        Array.Fill(all, true);
        return all;
    }

    private static ClaimToken Token(ClaimedInstance claim) => new(claim.Instance.Id, claim.Instance.Attempt);

    /// <inheritdoc />
    public override void Dispose()
    {
        _records.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _releases.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _failures.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _holds.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _renewals.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _dispatchSlots.Dispose();
        _claiming.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Runner lost its claim on task instance {InstanceId} attempt {Attempt}: its lease lapsed and another node took it over (this node fell behind); not dispatching it")]
    private partial void LogClaimLost(Guid instanceId, int attempt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Runner dropped its claim on task instance {InstanceId} attempt {Attempt}: its task was cancelled, paused or updated")]
    private partial void LogClaimTakenBack(Guid instanceId, int attempt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Task instance {InstanceId} attempt {Attempt} was sent and left the Claimed state before its dispatch was recorded (its outcome came first)")]
    private partial void LogSentClaimSettled(Guid instanceId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not check {Count} claims on task {TaskId} after it changed; dropping them unsent (they are claimed again after their lease)")]
    private partial void LogChangeCheckFailed(Exception exception, int count, Guid taskId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not renew {Count} leases; trying again at the next poll (a claim whose lease runs low is released instead of dispatched)")]
    private partial void LogRenewFailed(Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease renewals have failed for {Seconds:0.#} s (this time {Count} leases): this node's claims are lapsing and being released instead of dispatched; is the database reachable and keeping up?")]
    private partial void LogRenewFailing(Exception exception, int count, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lease renewals succeed again")]
    private partial void LogRenewingAgain();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not dispatching task instance {InstanceId} attempt {Attempt}: its lease ends at {LeaseExpiresAt}, too soon to publish safely; releasing it")]
    private partial void LogLeaseTooShort(Guid instanceId, int attempt, DateTimeOffset leaseExpiresAt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Runner loop could not claim task instances; retrying at the next poll")]
    private partial void LogClaimFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dispatch of task instance {InstanceId} attempt {Attempt} failed; releasing its claim")]
    private partial void LogDispatchFailed(Exception exception, Guid instanceId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record {Count} dispatches; their claims will run out and they will be dispatched again")]
    private partial void LogRecordFailed(Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Could not record a batch of {Count} dispatches (at SERIALIZABLE a batch conflicts with every outcome stored meanwhile for one of its instances); recording them one at a time")]
    private partial void LogRecordBatchFailed(Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dispatch of task instance {InstanceId} attempt {Attempt} was refused; the attempt is used up")]
    private partial void LogDispatchRejected(Exception exception, Guid instanceId, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sends to the broker are failing: the runner claims nothing, releases the claims it holds, and probes again in {Seconds} s")]
    private partial void LogSendsFailing(Exception? exception, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Workers' reports can arrive again after a broker outage: {Count} running attempts get their ExpireAfter again from now")]
    private partial void LogGraceAfterOutage(int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sends to the broker succeed again: the runner claims as usual")]
    private partial void LogSendsRecovered();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Released {Count} held claims while sends to the broker fail, so nodes that can send take them over")]
    private partial void LogReleasedWhileSendsFail(int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Dispatched task instance {InstanceId} of task {TaskId} attempt {Attempt} to {Destination}, {LatenessMs} ms after its due time")]
    private partial void LogDispatched(Guid instanceId, Guid taskId, int attempt, string destination, double latenessMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Runner loop stopped and released {Count} held claims")]
    private partial void LogReleased(int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Runner loop could not release its held claims; they run out after the lease")]
    private partial void LogReleaseFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task instance {InstanceId} of task {TaskId} skipped: {Reason}")]
    private partial void LogSkipped(Guid instanceId, Guid taskId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the open occurrences for the overlap policy; the occurrences it applies to are released and checked again when due")]
    private partial void LogOverlapCheckFailed(Exception exception);
}
