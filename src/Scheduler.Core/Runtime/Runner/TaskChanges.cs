using Microsoft.Extensions.Logging;
using Scheduler.Core.Storage;

namespace Scheduler.Core.Runtime.Runner;

/// <summary>
/// Keeps the runner's claims in step with changes of their tasks (cancel, pause, update): polls the store for the definitions changed on any
/// node and checks the claims on them, and around a change through this node (<see cref="LoopSignals.ChangeTaskAsync{T}"/>) holds the task's
/// claims unsent, then checks them against the store before they are sent again.
/// </summary>
internal sealed partial class TaskChanges
{
    private readonly IRunnerStore _store;
    private readonly SchedulerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly HeldClaims _held;
    private readonly InstanceClaimer _claimer;
    private readonly LeaseRenewal _renewal;
    private readonly ILogger _logger;
    private DateTimeOffset _changesCheckedAt;

    /// <summary>Creates the change polling, looking first one poll interval from now; it logs in the category of <paramref name="logger"/>
    /// (the runner's).</summary>
    public TaskChanges(IRunnerStore store, SchedulerOptions options, TimeProvider timeProvider, HeldClaims held, InstanceClaimer claimer, LeaseRenewal renewal,
        ILogger logger)
    {
        _store = store;
        _options = options;
        _timeProvider = timeProvider;
        _held = held;
        _claimer = claimer;
        _renewal = renewal;
        _logger = logger;
        _changesCheckedAt = timeProvider.GetUtcNow();
    }

    /// <summary>
    /// Learns which definitions were cancelled, paused or updated since the last look (on any node) and checks the claims held on their
    /// instances, so the occurrences such a change took back are dropped instead of dispatched. Looks once per poll interval.
    /// </summary>
    public async Task RefreshChangesAsync(CancellationToken cancellationToken)
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
            await _renewal.CheckClaimsAsync(changed.ToHashSet(), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The start of a change of task <paramref name="taskId"/> through this node (<see cref="LoopSignals.ChangeTaskAsync{T}"/>): its claims
    /// are not sent from now on, and this waits until its sends in flight are recorded (or released), so that the change finds each of them
    /// either recorded as dispatched or not sent at all.
    /// </summary>
    public async Task HoldTaskAsync(Guid taskId, CancellationToken cancellationToken)
    {
        var sendsDone = _held.BeginChange(taskId);
        await sendsDone.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The end of a change of task <paramref name="taskId"/>: checks the claims this node holds on it against the store — every claim taken
    /// before the change included (a claim whose store call is under way is awaited) — dropping those the change took back, then sends its
    /// claims again. A check that fails drops them unsent: they run out and are claimed again after the lease.
    /// </summary>
    public async Task ReleaseTaskAsync(Guid taskId)
    {
        try
        {
            var tokens = await _claimer.TokensOfTaskAsync(taskId).ConfigureAwait(false);
            if (tokens.Count > 0)
            {
                try
                {
                    await _renewal.RenewClaimsAsync(tokens, afterChange: true, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    LogChangeCheckFailed(ex, tokens.Count, taskId);
                    _held.Drop(tokens);
                }
            }
        }
        finally
        {
            _held.EndChange(taskId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not check {Count} claims on task {TaskId} after it changed; dropping them unsent (they are claimed again after their lease)")]
    private partial void LogChangeCheckFailed(Exception exception, int count, Guid taskId);
}
