using System.Globalization;
using Scheduler.Contracts;
using Scheduler.Core.Storage;

namespace Scheduler.Core.Runtime;

/// <summary>
/// The overlap policy as one pure function of the occurrences coming due and the task's open occurrences (the store's view), so the runner
/// asks the store once per dispatch batch, and only for recurring tasks whose policy is not <see cref="OverlapPolicy.AllowAll"/>.
/// </summary>
/// <remarks>An occurrence is checked only before its first attempt: a retry or a re-dispatch after expiry continues a run that already
/// began. An earlier occurrence is active while it is begun and not final (running, or waiting for a retry). Occurrences of one task in one
/// batch are decided in fire-time order, each seeing the decisions before it.</remarks>
internal static class OverlapRule
{
    /// <summary>Whether <paramref name="claim"/> is subject to the check: its task's applied policy is not AllowAll and no attempt of it began.</summary>
    public static bool Applies(ClaimedInstance claim)
    {
        ArgumentNullException.ThrowIfNull(claim);
        return claim.Overlap != OverlapPolicy.AllowAll && !claim.Instance.HasBegun;
    }

    /// <summary>Decides each claim of <paramref name="batch"/> (those <see cref="Applies"/> rejects are dispatched).</summary>
    /// <param name="batch">The claims coming due together.</param>
    /// <param name="open">The open occurrences of the batch's checked tasks (<see cref="IRunnerStore.GetOpenOccurrencesAsync"/>); the batch's own
    /// instances among them are ignored.</param>
    /// <returns>Per claim, in the order of <paramref name="batch"/>: the decision, and for <see cref="OverlapDecision.Skip"/> the reason.</returns>
    public static IReadOnlyList<(OverlapDecision Decision, string? Reason)> Decide(IReadOnlyList<ClaimedInstance> batch, IReadOnlyList<OpenOccurrence> open)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(open);
        var inBatch = batch.Select(c => c.Instance.Id).ToHashSet();
        var byTask = open.Where(o => !inBatch.Contains(o.InstanceId)).GroupBy(o => o.DefinitionId).ToDictionary(g => g.Key, g => g.ToList());
        var decisions = new (OverlapDecision, string?)[batch.Count];
        var order = Enumerable.Range(0, batch.Count).OrderBy(n => batch[n].Instance.FireTime).ThenBy(n => batch[n].Instance.Id);
        foreach (var n in order)
        {
            var claim = batch[n];
            if (!Applies(claim))
            {
                decisions[n] = (OverlapDecision.Dispatch, null);
                continue;
            }

            var others = byTask.TryGetValue(claim.Instance.DefinitionId, out var list) ? list : byTask[claim.Instance.DefinitionId] = [];
            var active = others.FirstOrDefault(o => o.Begun);
            var waiting = others.Any(o => !o.Begun && o.FireTime < claim.Instance.FireTime);
            var self = new OpenOccurrence(claim.Instance.DefinitionId, claim.Instance.Id, claim.Instance.FireTime, Begun: true);
            if (active is null)
            {
                decisions[n] = (OverlapDecision.Dispatch, null);
                others.Add(self);
            }
            else if (claim.Overlap == OverlapPolicy.BufferOne && !waiting)
            {
                decisions[n] = (OverlapDecision.Wait, null);
                others.Add(self with { Begun = false });
            }
            else
            {
                decisions[n] = (OverlapDecision.Skip, string.Create(CultureInfo.InvariantCulture,
                    $"Skipped by overlap policy {claim.Overlap}: the occurrence of {active.FireTime:O} (instance {active.InstanceId}) was still running, waiting for a retry or being dispatched{(claim.Overlap == OverlapPolicy.BufferOne ? ", and another occurrence was already waiting" : "")}."));
            }
        }

        return decisions;
    }
}
