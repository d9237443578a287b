using Microsoft.Extensions.Logging;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;

namespace Scheduler.Core.Runtime.Runner;

/// <summary>
/// Writes what became of each claim the runner took up for dispatch, by group commit (many per statement, within a round trip of the
/// send): dispatched, failed for its own sake (retried after the backoff, or dead-lettered), given back to wait for a consumer, or released;
/// and announces the instances dead-lettered (<see cref="DeadLetterNotifier"/>).
/// </summary>
internal sealed partial class DispatchRecorder : IDisposable
{
    private readonly IRunnerStore _store;
    private readonly SchedulerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly SchedulerMetrics _metrics;
    private readonly HeldClaims _held;
    private readonly DeadLetterNotifier _deadLetters;
    private readonly ILogger _logger;
    private readonly GroupCommit<DispatchOutcome, bool> _records;
    private readonly GroupCommit<ClaimToken, bool> _releases;
    private readonly GroupCommit<DispatchFailure, bool> _failures;
    private readonly GroupCommit<ClaimToken, bool> _holds;

    /// <summary>Creates the recorder and starts its group commits; it logs in the category of <paramref name="logger"/> (the runner's).</summary>
    public DispatchRecorder(IRunnerStore store, SchedulerOptions options, TimeProvider timeProvider, SchedulerMetrics metrics, HeldClaims held,
        DeadLetterNotifier deadLetters, ILogger logger)
    {
        _store = store;
        _options = options;
        _timeProvider = timeProvider;
        _metrics = metrics;
        _held = held;
        _deadLetters = deadLetters;
        _logger = logger;
        _records = new GroupCommit<DispatchOutcome, bool>(RecordBatchAsync);
        _releases = new GroupCommit<ClaimToken, bool>(ReleaseBatchAsync);
        _failures = new GroupCommit<DispatchFailure, bool>(FailBatchAsync);
        _holds = new GroupCommit<ClaimToken, bool>(HoldBatchAsync);
    }

    /// <summary>
    /// Writes what became of <paramref name="claim"/>: its <paramref name="outcome"/> when sent, its <paramref name="failure"/> when the dispatch
    /// failed for its own sake, given back to wait when its destination has no consumer (<paramref name="waits"/>), nothing when it is not this
    /// process's any more (<paramref name="forgotten"/>), else released. Then the claim is no longer held.
    /// </summary>
    /// <returns>Whether it was dispatched.</returns>
    public async Task<bool> SettleAsync(ClaimedInstance claim, DispatchOutcome? outcome, DispatchFailure? failure, bool waits, bool forgotten)
    {
        var instance = claim.Instance;
        try
        {
            try
            {
                await WriteAsync(claim, outcome, failure, waits, forgotten).ConfigureAwait(false);
            }
            finally
            {
                _held.Unrecorded.Recorded(instance.Id);
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
            _held.Forget(claim);
            _held.EndSend(claim);
        }

        return outcome is not null;
    }

    /// <summary>Announces <paramref name="deadLettered"/>, which the store has just dead-lettered.</summary>
    public async Task PublishDeadLetteredAsync(IReadOnlyList<(TaskInstance Instance, string Reason)> deadLettered, DeadLetterCause cause, DateTimeOffset now)
    {
        foreach (var (instance, reason) in deadLettered)
        {
            await _deadLetters.NotifyAsync(instance, reason, cause, instance.FailedAt ?? now).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _records.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _releases.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _failures.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _holds.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    private async Task WriteAsync(ClaimedInstance claim, DispatchOutcome? outcome, DispatchFailure? failure, bool waits, bool forgotten)
    {
        var instance = claim.Instance;
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
                _metrics.Retried.Add(1, _metrics.Node);
            }
            else
            {
                instance.FailedAt = failure.At;
                await PublishDeadLetteredAsync([(instance, failure.Error)], DeadLetterCause.DispatchRefused, failure.At).ConfigureAwait(false);
            }
        }
        else if (waits)
        {
            await _holds.WriteAsync(HeldClaims.Token(claim)).ConfigureAwait(false);
        }
        else if (forgotten)
        {
            // Not this process's to release: it lapses, or a new run of the node id takes it back (logged by the node's run).
        }
        else
        {
            await _releases.WriteAsync(HeldClaims.Token(claim)).ConfigureAwait(false);
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

    /// <summary>Some outcomes could not be written (also by the overlap check): their claims run out and come due again.</summary>
    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record {Count} dispatches; their claims will run out and they will be dispatched again")]
    internal partial void LogRecordFailed(Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Could not record a batch of {Count} dispatches (at SERIALIZABLE a batch conflicts with every outcome stored meanwhile for one of its instances); recording them one at a time")]
    private partial void LogRecordBatchFailed(Exception exception, int count);
}
