using Microsoft.Extensions.Logging;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;

namespace Scheduler.Core.Runtime.Runner;

/// <summary>
/// Keeps the leases of the runner's claims: renews those that run low (and, batched, those about to be sent with less than a third of
/// <see cref="SchedulerOptions.LeaseDuration"/> left), drops a claim the store no longer holds for this node and logs why it was lost, and
/// accounts for renewals that fail (Debug at first, a Warning once they have failed for half a lease, Information when they succeed again).
/// </summary>
internal sealed partial class LeaseRenewal : IDisposable
{
    private readonly IRunnerStore _store;
    private readonly SchedulerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly HeldClaims _held;
    private readonly Func<bool> _nodeLive;
    private readonly Func<bool> _clockOutOfBounds;
    private readonly ILogger _logger;
    private readonly GroupCommit<ClaimToken, bool> _renewals;
    private long _renewFailingSinceTicks; // UTC ticks of the first failed renewal since the last one that succeeded; 0: none
    private int _renewFailingWarned;

    /// <summary>Creates the renewal and starts its group commit. Nothing is renewed while <paramref name="nodeLive"/> is false, nor a claim
    /// about to be sent while <paramref name="clockOutOfBounds"/>; it logs in the category of <paramref name="logger"/> (the runner's).</summary>
    public LeaseRenewal(IRunnerStore store, SchedulerOptions options, TimeProvider timeProvider, HeldClaims held, Func<bool> nodeLive, Func<bool> clockOutOfBounds,
        ILogger logger)
    {
        _store = store;
        _options = options;
        _timeProvider = timeProvider;
        _held = held;
        _nodeLive = nodeLive;
        _clockOutOfBounds = clockOutOfBounds;
        _logger = logger;
        LeaseMargin = options.LeaseDuration / 3;
        _renewals = new GroupCommit<ClaimToken, bool>((claims, ct) => RenewClaimsAsync(claims, afterChange: false, ct));
    }

    /// <summary>The least lease a claim is sent with (a third of <see cref="SchedulerOptions.LeaseDuration"/>).</summary>
    public TimeSpan LeaseMargin { get; }

    /// <summary>
    /// Extends the leases of held claims whose lease has less than half of <see cref="SchedulerOptions.LeaseDuration"/> left; a claim the store
    /// no longer holds for this node (taken over after it lapsed, cancelled, or taken back by a pause or an update) is dropped, never dispatched.
    /// </summary>
    public Task RenewLeasesAsync(CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        return RenewAsync(c => c.Instance.LeaseExpiresAt - now < _options.LeaseDuration / 2, afterChange: false, cancellationToken);
    }

    /// <summary>Checks the claims held on instances of <paramref name="definitionIds"/> against the store at once (by renewing them), dropping
    /// those it no longer holds for this node: a task was cancelled, paused or updated.</summary>
    public Task CheckClaimsAsync(IReadOnlyCollection<Guid> definitionIds, CancellationToken cancellationToken) =>
        RenewAsync(c => definitionIds.Contains(c.Instance.DefinitionId), afterChange: true, cancellationToken);

    /// <summary>Extends the leases of <paramref name="chosen"/> to now plus <see cref="SchedulerOptions.LeaseDuration"/> in one store call; a
    /// claim the store no longer holds for this node is dropped (logged by why it may have been lost).</summary>
    /// <param name="chosen">The claims to renew.</param>
    /// <param name="afterChange">Whether their tasks just changed (a claim lost then was taken back by the change: expected, not a lapse).</param>
    /// <param name="cancellationToken">Stops the renewal.</param>
    /// <returns>Per claim, in order, whether it is still held (renewed).</returns>
    public async Task<IReadOnlyList<bool>> RenewClaimsAsync(IReadOnlyList<ClaimToken> chosen, bool afterChange, CancellationToken cancellationToken)
    {
        if (!_nodeLive())
        {
            // Not renewed, and no longer this process's: a new run of the node id may take them over, or they lapse and are claimed again.
            // Kept, a claim taken off the heap for its send would stay held but never sent, and be renewed for good once the run is live again.
            _held.DropSameAttempt(chosen);
            return chosen.Select(_ => false).ToList();
        }

        var until = _timeProvider.GetUtcNow() + _options.LeaseDuration;
        var renewed = (await _store.RenewLeasesAsync(new LeaseRenewalRequest { Owner = _options.NodeId, Claims = chosen, LeaseExpiresAt = until },
            cancellationToken).ConfigureAwait(false)).ToHashSet();
        RenewSucceeded();
        var lost = new List<ClaimToken>();
        _held.Renewed(chosen, renewed, until, token =>
        {
            if (_held.Unrecorded.Contains(token.InstanceId))
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
        });

        if (lost.Count > 0)
        {
            await LogLostClaimsAsync(lost, cancellationToken).ConfigureAwait(false);
        }

        return chosen.Select(token => renewed.Contains(token.InstanceId)).ToList();
    }

    /// <summary>
    /// The lease of <paramref name="claim"/> for a send: when less than <see cref="LeaseMargin"/> is left (the node fell behind: a busy machine
    /// or database, a burst larger than it sends in one lease), it is renewed first, batched with the other claims about to be sent (by group
    /// commit), rather than given up. <see langword="null"/> when the claim is no longer held.
    /// </summary>
    public async Task<DateTimeOffset?> LeaseForSendAsync(ClaimedInstance claim)
    {
        var lease = _held.LeaseOf(claim);
        return lease is not { } current || current - _timeProvider.GetUtcNow() >= LeaseMargin ? lease : await RenewForSendAsync(claim).ConfigureAwait(false);
    }

    /// <summary>
    /// Renews the lease of <paramref name="claim"/>, batched with the other claims being sent (by group commit): before its send (above), and
    /// while its send is under way (<see cref="ClaimDeadline"/>), so a send on a busy broker keeps its claim without waiting for the claim
    /// loop's next renewal. Returns the lease then; <see langword="null"/> when the claim is no longer held. Nothing is renewed while the
    /// clock is out of bounds; a failed renewal is accounted for (the lease stands, and the send's deadline stays where it was).
    /// </summary>
    public async Task<DateTimeOffset?> RenewForSendAsync(ClaimedInstance claim)
    {
        if (_clockOutOfBounds())
        {
            return _held.LeaseOf(claim);
        }

        try
        {
            if (!await _renewals.WriteAsync(HeldClaims.Token(claim)).ConfigureAwait(false))
            {
                return null; // lost; logged by the renewal
            }
        }
        catch (Exception ex)
        {
            RenewFailed(ex, 1); // the lease check before the send releases the claim
        }

        return _held.LeaseOf(claim);
    }

    /// <inheritdoc />
    public void Dispose() => _renewals.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <param name="which">The claims to renew.</param>
    /// <param name="afterChange">Whether their tasks just changed (a claim lost then was taken back by the change: expected, not a lapse).</param>
    /// <param name="cancellationToken">Stops the renewal.</param>
    private async Task RenewAsync(Func<ClaimedInstance, bool> which, bool afterChange, CancellationToken cancellationToken)
    {
        var chosen = _held.Tokens(which);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Runner lost its claim on task instance {InstanceId} attempt {Attempt}: its lease lapsed and another node took it over (this node fell behind); not dispatching it")]
    private partial void LogClaimLost(Guid instanceId, int attempt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Runner dropped its claim on task instance {InstanceId} attempt {Attempt}: its task was cancelled, paused or updated")]
    private partial void LogClaimTakenBack(Guid instanceId, int attempt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Task instance {InstanceId} attempt {Attempt} was sent and left the Claimed state before its dispatch was recorded (its outcome came first)")]
    private partial void LogSentClaimSettled(Guid instanceId, int attempt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not renew {Count} leases; trying again at the next poll (a claim whose lease runs low is released instead of dispatched)")]
    private partial void LogRenewFailed(Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease renewals have failed for {Seconds:0.#} s (this time {Count} leases): this node's claims are lapsing and being released instead of dispatched; is the database reachable and keeping up?")]
    private partial void LogRenewFailing(Exception exception, int count, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lease renewals succeed again")]
    private partial void LogRenewingAgain();
}
