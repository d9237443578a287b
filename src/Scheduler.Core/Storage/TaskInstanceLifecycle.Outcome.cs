using Scheduler.Contracts;
using Scheduler.Core.Definitions;

namespace Scheduler.Core.Storage;

/// <summary>What operators' views call a task's last outcome (<see cref="IAdminStore.GetLastOutcomesAsync"/>).</summary>
public static partial class TaskInstanceLifecycle
{
    /// <summary>The states that are an occurrence's outcome: Completed, Failed (a dead letter) and Skipped; not Cancelled (the task's end, not
    /// the occurrence's).</summary>
    public static IReadOnlyList<TaskInstanceState> OutcomeStates { get; } = [TaskInstanceState.Completed, TaskInstanceState.Failed, TaskInstanceState.Skipped];

    /// <summary>Whether <paramref name="instance"/> has an outcome (<see cref="OutcomeStates"/>) and a finish time.</summary>
    public static bool HasOutcome(TaskInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return instance.Status is TaskInstanceState.Completed or TaskInstanceState.Failed or TaskInstanceState.Skipped && instance.FinishedAt is not null;
    }

    /// <summary><see cref="HasOutcome"/> as a query the EF Core store translates to SQL.</summary>
    internal static readonly System.Linq.Expressions.Expression<Func<TaskInstance, bool>> Outcome = i =>
        (i.Status == TaskInstanceState.Completed || i.Status == TaskInstanceState.Failed || i.Status == TaskInstanceState.Skipped) && i.FinishedAt != null;
}
