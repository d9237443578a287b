using Scheduler.Contracts;
using Scheduler.Core.Definitions;

using static Scheduler.Core.Storage.SqlValues;
using State = Scheduler.Contracts.TaskInstanceState;

namespace Scheduler.Core.Storage;

/// <summary>An operator's transitions of one task or instance: a task deleted with its instances, a finished instance deleted, a retry brought
/// forward (<c>EfTaskStore.Admin.cs</c> writes what they decide).</summary>
public static partial class TaskInstanceLifecycle
{
    /// <summary>Claimed or Dispatched: an attempt of it is about to be sent, or was sent and has not finished. A task with such an instance is not
    /// deleted (<see cref="IAdminStore.DeleteDefinitionAsync"/>).</summary>
    public static bool IsInFlight(TaskInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return instance.Status is State.Claimed or State.Dispatched;
    }

    /// <summary>The refusal of a task's delete while instances of it are in flight (<see cref="IsInFlight"/>).</summary>
    /// <param name="taskId">The task.</param>
    /// <param name="inFlight">The states of its instances in flight: at least one.</param>
    internal static TaskValidationException DeleteTaskRefused(Guid taskId, IEnumerable<TaskInstanceState> inFlight)
    {
        ArgumentNullException.ThrowIfNull(inFlight);
        var counts = string.Join(", ", inFlight.GroupBy(s => s).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key}"));
        return new TaskValidationException($"Task {taskId} has instances in flight ({counts}), so it cannot be deleted yet. " +
            "Cancel it first and wait until its dispatched instances finish, then delete it.");
    }

    /// <summary>SQL deleting the instances of definition <c>definitionId</c> that are not in flight (<see cref="IsInFlight"/>); a row claimed
    /// meanwhile is left, and the store then refuses the delete (run by EfTaskStore.Admin.cs).</summary>
    internal static string DeleteTaskInstancesSql(string definitionId) =>
        $"DELETE FROM {TaskInstances} WHERE definition_id = {definitionId} AND status NOT IN ({In(State.Claimed, State.Dispatched)})";

    /// <summary>The fence of an instance's delete (<see cref="IAdminStore.DeleteInstanceAsync"/>): final (Completed, Failed, Cancelled or
    /// Skipped, <see cref="FinalStates"/>). Throws the refusal otherwise.</summary>
    /// <exception cref="TaskValidationException">The instance is not finished; the message names its state and what to do.</exception>
    public static void RequireDeletable(TaskInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        if (instance.IsFinal)
        {
            return;
        }

        var fix = instance.Status == State.Dispatched
            ? "Wait until its attempt finishes (or expires), then delete it."
            : "Cancel its task first (or wait until the instance finishes), then delete it.";
        throw new TaskValidationException(
            $"Task instance {instance.Id} is {instance.Status}, so it cannot be deleted: only a finished instance (Completed, Failed, Cancelled or Skipped) can. {fix}");
    }

    /// <summary>The fence of <see cref="RetryNow"/>: Scheduled after a failed attempt (<see cref="TaskInstance.Attempt"/> at least 1), waiting
    /// for its retry backoff. Throws the refusal otherwise.</summary>
    /// <exception cref="TaskValidationException">The instance is not waiting for a retry; the message names its state and what to do instead
    /// (a dead letter is requeued).</exception>
    public static void RequireWaitingForRetry(TaskInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        if (instance.Status == State.Scheduled && instance.Attempt >= 1)
        {
            return;
        }

        var why = instance.Status switch
        {
            State.Failed => "Failed: a dead letter. Requeue it instead (POST api/dead-letters/requeue, RequeueDeadLetters), which gives it a fresh attempt budget.",
            State.Scheduled => "Scheduled for its first attempt, not for a retry. Trigger its task now instead (TriggerTaskNow) to run it at once.",
            _ => $"{instance.Status}. Only a Scheduled instance whose earlier attempt failed (waiting for its retry backoff) can be retried now.",
        };
        throw new TaskValidationException($"Task instance {instance.Id} is not waiting for a retry: it is {why}");
    }

    /// <summary>A retry brought forward: due at <paramref name="now"/> (its attempt count and budget kept). Returns <see langword="false"/>, and
    /// changes nothing, when it is due at or before <paramref name="now"/> already.</summary>
    public static bool RetryNow(TaskInstance instance, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(instance);
        if (instance.DueAt <= now)
        {
            return false;
        }

        instance.DueAt = now;
        instance.Version++;
        return true;
    }
}
