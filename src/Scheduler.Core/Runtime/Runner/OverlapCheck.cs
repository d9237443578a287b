using Microsoft.Extensions.Logging;
using Scheduler.Contracts;
using Scheduler.Core.Storage;

namespace Scheduler.Core.Runtime.Runner;

/// <summary>
/// Applies the overlap policy (<see cref="OverlapRule"/>) to the due occurrences of recurring tasks before they are sent: one store query for
/// their tasks' open occurrences (with those this node is dispatching in another batch, or sent and has not yet recorded, counted as begun:
/// batches are dispatched side by side, and the store does not know them begun yet), then skipped ones end Skipped and
/// waiting ones are released until one poll interval later.
/// It logs in the category of the logger it is given (the runner's).
/// </summary>
internal sealed partial class OverlapCheck(IRunnerStore store, SchedulerOptions options, TimeProvider timeProvider, SchedulerMetrics metrics, HeldClaims held,
    DispatchRecorder recorder, ILogger logger)
{
    /// <summary>Applies the overlap policy to the occurrences in <paramref name="batch"/> it applies to.</summary>
    /// <returns>The claims to dispatch. When the store cannot be asked, the checked claims are released (they come due again) and the rest
    /// dispatched.</returns>
    public async Task<List<ClaimedInstance>> ApplyAsync(List<ClaimedInstance> batch, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var dispatch = new List<ClaimedInstance>(batch.Count);
        var skipped = new List<(ClaimedInstance Claim, string Reason)>();
        var waiting = new List<ClaimedInstance>();
        try
        {
            var tasks = batch.Where(OverlapRule.Applies).Select(c => c.Instance.DefinitionId).ToHashSet();
            var open = (await store.GetOpenOccurrencesAsync(tasks, cancellationToken).ConfigureAwait(false))
                .Select(o => !o.Begun && (held.Unrecorded.Contains(o.InstanceId) || held.IsTaken(o.InstanceId)) ? o with { Begun = true } : o).ToList();
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

        // Every claim not sent is forgotten before the store is asked, so a failure of one call leaves none of them held: a held claim is
        // renewed, so one left behind would never lapse, and never be sent, ended or claimed again.
        skipped.ForEach(s => held.Forget(s.Claim));
        waiting.ForEach(held.Forget);
        try
        {
            foreach (var (claim, reason) in skipped)
            {
                LogSkipped(claim.Instance.Id, claim.Instance.DefinitionId, reason);
                await store.EndClaimsAsync(new EndClaimsRequest
                {
                    Owner = options.NodeId, Claims = [HeldClaims.Token(claim)], Status = TaskInstanceState.Skipped, At = now, Reason = reason,
                }, cancellationToken).ConfigureAwait(false);
            }

            metrics.Skipped.Add(skipped.Count, metrics.Node);
            if (waiting.Count > 0)
            {
                await store.ReleaseClaimsAsync(new ReleaseRequest
                {
                    Owner = options.NodeId, Claims = waiting.Select(HeldClaims.Token).ToList(), DueAt = now + options.PollInterval,
                }, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            recorder.LogRecordFailed(ex, skipped.Count + waiting.Count); // the claims run out and come due again; the check runs again then
        }

        return dispatch;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Task instance {InstanceId} of task {TaskId} skipped: {Reason}")]
    private partial void LogSkipped(Guid instanceId, Guid taskId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the open occurrences for the overlap policy; the occurrences it applies to are released and checked again when due")]
    private partial void LogOverlapCheckFailed(Exception exception);
}
