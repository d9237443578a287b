using Scheduler.Contracts;
using Scheduler.Core.Storage;

namespace Scheduler.Core.Runtime.Runner;

/// <summary>
/// Claims the instances due within the execution window from the store, in batches up to <see cref="SchedulerOptions.MaxHeld"/> held in all,
/// and holds them (<see cref="HeldClaims"/>); ends the claims on cancelled tasks and announces the instances the store dead-lettered because
/// their last attempt expired.
/// </summary>
internal sealed class InstanceClaimer(IRunnerStore store, LoopSignals signals, SchedulerOptions options, TimeProvider timeProvider, SchedulerMetrics metrics,
    HeldClaims held, DispatchRecorder recorder) : IDisposable
{
    // Held by a claim from its store call until its claims are held, so the check after a change sees every claim taken before it.
    private readonly SemaphoreSlim _claiming = new(1, 1);

    /// <summary>Claims batches until there is no more room or the store has no more due. Returns how many instances were claimed.</summary>
    public async Task<int> ClaimDueAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            var room = held.Room();
            if (room <= 0)
            {
                return total; // behind: claim more once dispatches catch up (they wake this loop)
            }

            var want = Math.Min(options.ClaimBatchSize, room);
            var now = timeProvider.GetUtcNow();
            var span = SchedulerTracing.StartLoopBatch("scheduler.claim", options.NodeId);
            ClaimResult result;
            await _claiming.WaitAsync(cancellationToken).ConfigureAwait(false);
            List<ClaimToken> dropped;
            try
            {
                try
                {
                    result = await store.ClaimDueInstancesAsync(new ClaimRequest
                    {
                        Owner = options.NodeId,
                        Now = now,
                        Horizon = now + options.ExecutionWindow,
                        LeaseDuration = options.LeaseDuration,
                        MaxCount = want,
                        ExpiredAttempts = signals.ReportsArriving,
                    }, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    SchedulerTracing.Fail(span, ex);
                    throw;
                }

                dropped = held.Hold(result.Claimed, now);
            }
            finally
            {
                _claiming.Release();
            }

            span?.SetTag("scheduler.instances", result.Claimed.Count);
            span?.SetTag("scheduler.dead_lettered", result.DeadLettered.Count);
            SchedulerTracing.EndLoopBatch(span, result.Claimed.Count + result.DeadLettered.Count > 0);
            total += result.Claimed.Count;
            metrics.Claimed.Add(result.Claimed.Count, metrics.Node);
            if (result.Claimed.Count > dropped.Count)
            {
                held.Changed.Set();
            }

            if (dropped.Count > 0)
            {
                await store.EndClaimsAsync(new EndClaimsRequest
                {
                    Owner = options.NodeId, Claims = dropped, Status = TaskInstanceState.Cancelled, At = now,
                }, cancellationToken).ConfigureAwait(false);
            }

            await recorder.PublishDeadLetteredAsync(result.DeadLettered.Select(i => (i, i.LastError ?? TaskInstanceLifecycle.ExpiryReason(i))).ToList(),
                DeadLetterCause.Expired, now).ConfigureAwait(false);
            if (result.Claimed.Count < want)
            {
                return total;
            }
        }
    }

    /// <summary>The claims held on task <paramref name="taskId"/>, every claim taken so far included (a claim whose store call is under way
    /// is awaited).</summary>
    public async Task<List<ClaimToken>> TokensOfTaskAsync(Guid taskId)
    {
        await _claiming.WaitAsync().ConfigureAwait(false);
        try
        {
            return held.Tokens(c => c.Instance.DefinitionId == taskId);
        }
        finally
        {
            _claiming.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _claiming.Dispose();
}
