using Scheduler.Contracts;
using Scheduler.Core.Definitions;

using static Scheduler.Core.Storage.SqlValues;
using State = Scheduler.Contracts.TaskInstanceState;

namespace Scheduler.Core.Storage;

/// <summary>An operator's transition: a dead letter requeued (<c>EfTaskStore.Admin.cs</c> writes what it decides).</summary>
public static partial class TaskInstanceLifecycle
{
    /// <summary>The fence of <see cref="Requeue"/>: a dead letter, Failed (its last allowed attempt failed or expired, or its dispatch was refused
    /// for good).</summary>
    public static bool IsDeadLetter(TaskInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return instance.Status == TaskInstanceState.Failed;
    }

    /// <summary>
    /// Failed → Scheduled, due at <paramref name="now"/>, with a fresh attempt budget: <see cref="TaskInstance.MaxAttempts"/> becomes its attempt
    /// number plus its retry policy's <see cref="RetryPolicy.MaxAttempts"/>, so a task allowed 3 attempts that dead-lettered at attempt 3 may run
    /// attempts 4, 5 and 6, with the policy's backoff between them from its start (<see cref="RetryAt"/>): an operator's requeue of a dead letter,
    /// as Hangfire's requeue of a failed job. If the last of them fails too, the instance is a dead letter again. The attempt number goes on
    /// counting, so a report of an earlier attempt stays fenced out; the last error is kept until the next attempt's outcome replaces it.
    /// </summary>
    /// <remarks>Both requeues (<see cref="IAdminStore.RequeueDeadLettersAsync"/> by id and <see cref="IAdminStore.RequeueMatchingDeadLettersAsync"/>
    /// by filter) apply this, and the store's SQL writes what it decided (<see cref="RequeueSql"/>).</remarks>
    public static void Requeue(TaskInstance instance, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(instance);
        instance.Status = TaskInstanceState.Scheduled;
        instance.DueAt = now;
        instance.MaxAttempts = instance.Attempt + instance.Retry.MaxAttempts;
        instance.FailedAt = null;
        instance.FinishedAt = null;
        instance.Version++;
    }

    /// <summary>The attempts an instance used before its current budget: 0 until a requeue, then the attempt number it was requeued at
    /// (<see cref="Requeue"/>). <see cref="RetryAt"/> counts the backoff from there.</summary>
    internal static int AttemptsBeforeBudget(TaskInstance instance) => Math.Max(0, instance.MaxAttempts - instance.Retry.MaxAttempts);

    /// <summary>Whether <paramref name="instance"/> (of a task sending to <paramref name="destinationQueue"/>) is a dead letter
    /// <paramref name="filter"/> selects: <see cref="IsDeadLetter"/>, of its task, dead-lettered (<see cref="TaskInstance.FailedAt"/>,
    /// which is its <see cref="TaskInstance.FinishedAt"/>) in [Since, Until), to its queue. The in-memory store filters by it; the EF Core store's
    /// query says the same over <c>finished_at</c>, whose index it uses.</summary>
    public static bool IsRequeueCandidate(TaskInstance instance, string? destinationQueue, DeadLetterFilter filter)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(filter);
        return IsDeadLetter(instance) && instance.FinishedAt is { } at
            && (filter.TaskId is null || instance.DefinitionId == filter.TaskId)
            && (filter.Since is null || at >= filter.Since)
            && (filter.Until is null || at < filter.Until)
            && (filter.DestinationQueue is null || string.Equals(destinationQueue, filter.DestinationQueue, StringComparison.Ordinal));
    }

    /// <summary>SQL that writes what <see cref="Requeue"/> decided, over rows <c>o (id, version, status, due_at, max_attempts, failed_at,
    /// finished_at)</c>, fenced by <see cref="IsDeadLetter"/> and the version read (run by EfTaskStore.Admin.cs); returns the ids updated.</summary>
    internal static string RequeueSql(string rows, string returningId) => $"""
        WITH o (id, version, status, due_at, max_attempts, failed_at, finished_at) AS (VALUES {rows})
        UPDATE {TaskInstances} AS t SET status = o.status, due_at = o.due_at, max_attempts = o.max_attempts,
            failed_at = o.failed_at, finished_at = o.finished_at, version = t.version + 1
        FROM o WHERE t.id = o.id AND t.version = o.version AND t.status = {Of(State.Failed)}
        RETURNING {returningId} AS "Value"
        """;
}
