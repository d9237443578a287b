using System.Globalization;
using Scheduler.Contracts;

namespace Scheduler.Core.Storage;

/// <summary>
/// The SQL store's tables and the numbers its SQL writes and compares for <see cref="TaskInstanceState"/>, <see cref="OutcomeKind"/> and
/// <see cref="ActivityRowKind"/>, taken from the enums, so no statement restates one as a literal. They go into the statement's text, not
/// into parameters: the partial indexes of <c>0001_initial</c> (<c>status IN (0, 1)</c>, <c>status = 5</c>) serve only a predicate that names
/// the same constants (<see cref="DueIndexStates"/>, <see cref="LeaseIndexState"/>; a test reads both scripts).
/// </summary>
/// <remarks>In Core, beside <see cref="TaskInstanceLifecycle"/>, whose transitions write their SQL next to their C# decision; the EF Core store
/// runs that SQL.</remarks>
internal static class SqlValues
{
    /// <summary>The task instances table.</summary>
    public const string TaskInstances = "task_instances";

    /// <summary>The attempt history's table (<see cref="Definitions.TaskAttempt"/>).</summary>
    public const string TaskAttempts = "task_attempts";

    /// <summary>The task definitions table.</summary>
    public const string TaskDefinitions = "task_definitions";

    /// <summary>The states of the due index (<c>ix_task_instances_due_at</c>): Scheduled and Dispatched, whose <c>due_at</c> is when they are
    /// due or expire.</summary>
    public static readonly string DueIndexStates = In(TaskInstanceState.Scheduled, TaskInstanceState.Dispatched);

    /// <summary>The state of the lease index (<c>ix_task_instances_lease_expires_at</c>): Claimed.</summary>
    public static readonly string LeaseIndexState = Of(TaskInstanceState.Claimed);

    /// <summary><paramref name="state"/>'s number as SQL text.</summary>
    public static string Of(TaskInstanceState state) => Number((int)state);

    /// <summary><paramref name="kind"/>'s number as SQL text.</summary>
    public static string Of(OutcomeKind kind) => Number((int)kind);

    /// <summary><paramref name="outcome"/>'s number as SQL text.</summary>
    public static string Of(AttemptOutcome outcome) => Number((int)outcome);

    /// <summary><paramref name="kind"/>'s number as SQL text.</summary>
    public static string Of(ActivityRowKind kind) => Number((int)kind);

    /// <summary>The list of an <c>IN (…)</c>: the states' numbers, comma-separated.</summary>
    public static string In(params IEnumerable<TaskInstanceState> states) => string.Join(", ", states.Select(Of));

    /// <summary>The list of an <c>IN (…)</c>: the kinds' numbers, comma-separated.</summary>
    public static string In(params IEnumerable<OutcomeKind> kinds) => string.Join(", ", kinds.Select(Of));

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
