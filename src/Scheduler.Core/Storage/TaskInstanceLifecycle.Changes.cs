using Scheduler.Contracts;
using Scheduler.Core.Definitions;

using static Scheduler.Core.Storage.SqlValues;
using State = Scheduler.Contracts.TaskInstanceState;

namespace Scheduler.Core.Storage;

/// <summary>The transitions of a task change: cancel, and the take-back of occurrences not begun (<c>EfTaskStore.Definitions.cs</c> runs the SQL).</summary>
public static partial class TaskInstanceLifecycle
{
    /// <summary>Scheduled or Claimed → Cancelled (the task was cancelled); an attempt already dispatched is left to finish.</summary>
    public static bool IsCancellable(TaskInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return instance.Status is TaskInstanceState.Scheduled or TaskInstanceState.Claimed;
    }

    /// <summary>→ Cancelled at <paramref name="now"/>.</summary>
    public static void Cancel(TaskInstance instance, DateTimeOffset now) => End(instance, TaskInstanceState.Cancelled, now, reason: null);

    /// <summary>Scheduled or Claimed and not begun (<see cref="TaskInstance.HasBegun"/>): an occurrence a pause or an update takes back
    /// (deletes, to plan it again), since no attempt of it was handed out.</summary>
    public static bool IsNotBegun(TaskInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return instance.Status is TaskInstanceState.Scheduled or TaskInstanceState.Claimed && !instance.HasBegun;
    }

    /// <summary><see cref="IsNotBegun"/> as a query the EF Core store translates to SQL (its operators' reads of the fire times to come).</summary>
    internal static readonly System.Linq.Expressions.Expression<Func<TaskInstance, bool>> NotBegun = i =>
        (i.Status == TaskInstanceState.Scheduled || i.Status == TaskInstanceState.Claimed) && i.DispatchedAt == null && i.LastError == null;

    /// <summary>A definition's next fire time moved back to <paramref name="earliestTakenBack"/>, the earliest occurrence taken back
    /// (<see cref="TakeBack.Rewind"/>), so it is planned again.</summary>
    public static DateTimeOffset? Rewound(DateTimeOffset? nextFireTime, DateTimeOffset earliestTakenBack) =>
        nextFireTime is { } next && next < earliestTakenBack ? next : earliestTakenBack;

    /// <summary>SQL of <see cref="IsNotBegun"/> → deleted, for the occurrences of definition <c>definitionId</c>; returns their fire times in a
    /// column named <c>Value</c> (run by EfTaskStore.Definitions.cs).</summary>
    internal static string TakeBackSql(string definitionId) =>
        $"DELETE FROM {TaskInstances} WHERE definition_id = {definitionId} AND status IN ({In(State.Scheduled, State.Claimed)}) AND dispatched_at IS NULL AND last_error IS NULL RETURNING fire_time AS \"Value\"";

    /// <summary>SQL of <see cref="IsCancellable"/> → <see cref="Cancel"/> for the instances of definition <c>definitionId</c> (run by
    /// EfTaskStore.Definitions.cs).</summary>
    internal static string CancelSql(string definitionId, string now) =>
        $"UPDATE {TaskInstances} SET status = {Of(State.Cancelled)}, due_at = NULL, finished_at = {now}, lease_owner = NULL, lease_expires_at = NULL, " +
        $"version = version + 1 WHERE definition_id = {definitionId} AND status IN ({In(State.Scheduled, State.Claimed)})";
}
