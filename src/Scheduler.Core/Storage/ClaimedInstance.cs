using Scheduler.Contracts;
using Scheduler.Core.Definitions;

namespace Scheduler.Core.Storage;

/// <summary>A claimed instance with what the runner needs to dispatch it.</summary>
/// <param name="Instance">The instance as claimed: status <see cref="TaskInstanceState.Claimed"/>, lease set, <see cref="TaskInstance.Attempt"/>
/// the reserved attempt number, <see cref="TaskInstance.DueAt"/> when to dispatch it.</param>
/// <param name="Metadata">The definition's metadata.</param>
/// <param name="Payload">The definition's payload.</param>
/// <param name="DestinationQueue">The definition's destination queue, if any.</param>
/// <param name="TaskCancelled">Whether the task was cancelled (e.g. while an attempt ran, whose retry or expiry brought the instance back): the
/// runner cancels such a claim instead of dispatching it.</param>
/// <param name="Overlap">The task's overlap policy as the runner applies it: <see cref="OverlapPolicy.AllowAll"/> for a one-off task, which
/// fires once.</param>
public sealed record ClaimedInstance(TaskInstance Instance, IReadOnlyDictionary<string, string> Metadata, string? Payload, string? DestinationQueue,
    bool TaskCancelled = false, OverlapPolicy Overlap = OverlapPolicy.AllowAll)
{
    /// <summary>The task's <see cref="TaskDefinition.TraceParent"/>: the trace of the ScheduleTask that created it, if any.</summary>
    public string? TraceParent { get; init; }

    /// <summary>Whether the task is recurring (any trigger but execute-once): its dispatches link to <see cref="TraceParent"/> rather than
    /// continue it.</summary>
    public bool Recurring { get; init; }
}
