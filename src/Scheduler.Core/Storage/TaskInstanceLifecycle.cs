using Scheduler.Contracts;
using Scheduler.Core.Definitions;

namespace Scheduler.Core.Storage;

/// <summary>
/// The task instance's state table, written once: which transition applies to which state, fenced by (instance id, attempt, claim owner),
/// and what it writes. Each transition's C# decision, its fence and its SQL are side by side, one file per family:
/// <c>TaskInstanceLifecycle.Claims.cs</c> (the runner's), <c>.Outcomes.cs</c> (the saga's), <c>.Changes.cs</c> (cancel, take-back),
/// <c>.NodeRuns.cs</c> (a node's restart) and <c>.DeadLetters.cs</c> (requeue). <see cref="InMemoryTaskStore"/> runs the C# methods, the EF Core
/// store runs the SQL (internal, set-based: one statement per batch); one contract test suite holds every store to both. The table itself,
/// with a picture, is in docs/guarantees.md.
/// </summary>
/// <remarks>
/// <para>Writers: the scheduler loop inserts Scheduled rows; the runner loop claims (Scheduled, expired Dispatched, or a lapsed claim →
/// Claimed), records dispatches (Claimed → Dispatched), renews and releases its claims, and dead-letters a Dispatched attempt that expired as
/// the last allowed one; the task instance saga applies worker outcomes (<see cref="Accepts"/>, <see cref="Apply"/>); CancelTask cancels
/// Scheduled and Claimed rows; an operator requeues a dead letter (<see cref="Requeue"/>).</para>
/// <para>Every transition states its precondition (the fence) and nothing else: a stale actor — a runner whose claim lapsed, a report on a
/// superseded attempt — finds the fence closed and writes nothing. No transition compares whole rows or merges them.</para>
/// </remarks>
public static partial class TaskInstanceLifecycle
{
    /// <summary>The <c>last_error</c> of an instance dead-lettered because its last allowed attempt started but did not complete (nor heartbeat)
    /// within ExpireAfter.</summary>
    public const string ExpiredReason = "The last attempt did not complete within ExpireAfter and the retry policy allows no more attempts.";

    /// <summary>The <c>last_error</c> of an instance dead-lettered because no worker started its last allowed attempt: the <c>TaskDue</c> waited in
    /// its destination queue longer than the queue timeout (<c>Scheduler:QueueTimeout</c>), or was lost.</summary>
    public const string NotStartedReason =
        "No worker started the last attempt: its TaskDue waited in the destination queue longer than Scheduler:QueueTimeout (or was lost), " +
        "and the retry policy allows no more attempts.";

    private static readonly TaskInstanceState[] CompletionStates =
        [TaskInstanceState.Scheduled, TaskInstanceState.Claimed, TaskInstanceState.Dispatched, TaskInstanceState.Failed];

    private static readonly TaskInstanceState[] AttemptStates = [TaskInstanceState.Claimed, TaskInstanceState.Dispatched];

    private static void ClearClaim(TaskInstance instance)
    {
        instance.LeaseOwner = null;
        instance.LeaseExpiresAt = null;
        instance.Version++;
    }
}
