using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using static Scheduler.Core.Storage.SqlValues;

namespace Scheduler.Core.Storage;

/// <summary>The cleanup loop's transition: final instances deleted after their retention (<c>EfTaskStore.Cleanup.cs</c> runs the SQL).</summary>
public static partial class TaskInstanceLifecycle
{
    /// <summary>The final states (<see cref="TaskInstance.IsFinal"/>): Completed, Failed, Cancelled and Skipped. An instance in one is only ever
    /// deleted (<see cref="IsPastRetention"/>), or, when Failed, requeued (<see cref="Requeue"/>) or completed by a late report.</summary>
    public static IReadOnlyList<TaskInstanceState> FinalStates { get; } =
        [TaskInstanceState.Completed, TaskInstanceState.Failed, TaskInstanceState.Cancelled, TaskInstanceState.Skipped];

    /// <summary>The fence of the cleanup's delete: final, and finished before <paramref name="finishedBefore"/> (now minus the retention).</summary>
    public static bool IsPastRetention(TaskInstance instance, DateTimeOffset finishedBefore)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return instance.IsFinal && instance.FinishedAt < finishedBefore;
    }

    /// <summary>SQL of <see cref="IsPastRetention"/> → deleted, for up to <c>limit</c> instances, the earliest finished first.</summary>
    internal static string DeletePastRetentionSql(string finishedBefore, string limit) =>
        $"DELETE FROM {TaskInstances} WHERE id IN (SELECT id FROM {TaskInstances} WHERE status IN ({In(FinalStates)}) AND finished_at < {finishedBefore} " +
        $"ORDER BY finished_at LIMIT {limit})";
}
