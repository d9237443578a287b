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
    /// Failed → Scheduled, due at <paramref name="now"/>, with one attempt more than it used (its retry policy's
    /// <see cref="RetryPolicy.MaxAttempts"/> becomes its attempt number plus one): an operator's second chance for a dead letter, as Hangfire's
    /// requeue of a failed job. If that attempt fails too, the instance is a dead letter again. The attempt number goes on counting, so a
    /// report of an earlier attempt stays fenced out; the last error is kept until the next attempt's outcome replaces it.
    /// </summary>
    public static void Requeue(TaskInstance instance, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(instance);
        instance.Status = TaskInstanceState.Scheduled;
        instance.DueAt = now;
        instance.Retry = instance.Retry with { MaxAttempts = instance.Attempt + 1 };
        instance.FailedAt = null;
        instance.FinishedAt = null;
        instance.Version++;
    }

    /// <summary>SQL that writes what <see cref="Requeue"/> decided, over rows <c>o (id, version, status, due_at, retry, max_attempts, failed_at,
    /// finished_at)</c>, fenced by <see cref="IsDeadLetter"/> and the version read (run by EfTaskStore.Admin.cs); returns the ids updated.</summary>
    internal static string RequeueSql(string rows, string returningId) => $"""
        WITH o (id, version, status, due_at, retry, max_attempts, failed_at, finished_at) AS (VALUES {rows})
        UPDATE {TaskInstances} AS t SET status = o.status, due_at = o.due_at, retry = o.retry, max_attempts = o.max_attempts,
            failed_at = o.failed_at, finished_at = o.finished_at, version = t.version + 1
        FROM o WHERE t.id = o.id AND t.version = o.version AND t.status = {Of(State.Failed)}
        RETURNING {returningId} AS "Value"
        """;
}
