using Scheduler.Contracts;
using Scheduler.Core.Definitions;

using static Scheduler.Core.Storage.SqlValues;
using State = Scheduler.Contracts.TaskInstanceState;

namespace Scheduler.Core.Storage;

/// <summary>
/// The attempt history (<see cref="TaskAttempt"/>, table <c>task_attempts</c>): what each transition of an attempt writes there, in C# (run by
/// <see cref="InMemoryTaskStore"/>) and as SQL that the transition's own statement carries (run by the EF Core store). On PostgreSQL and
/// CockroachDB the attempt row is written by a data-modifying CTE of the transition's <c>UPDATE</c>, from the rows it updated; on SQLite, which
/// is in process (no round trip) and has one writer, by a statement of the same command or transaction, fenced the same way. Never a round trip
/// of its own. The rows go with their instance (<c>ON DELETE CASCADE</c>): retention, deletes and take-backs remove them.
/// </summary>
public static partial class TaskInstanceLifecycle
{
    /// <summary>The attempt row a claim writes (<see cref="Claim"/>, after it): attempt <see cref="TaskInstance.Attempt"/> claimed by
    /// <paramref name="owner"/> at <paramref name="now"/>. Merged with <c>claim: true</c> (<see cref="Record"/>): a number claimed again
    /// (a lapsed claim, a released one) starts over.</summary>
    public static TaskAttempt Claimed(TaskInstance instance, string owner, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return new TaskAttempt { InstanceId = instance.Id, Attempt = instance.Attempt, ClaimedBy = owner, ClaimedAt = now };
    }

    /// <summary>The attempt row of <see cref="RecordDispatch"/>: dispatched at <paramref name="at"/>.</summary>
    public static TaskAttempt Dispatched(Guid instanceId, int attempt, DateTimeOffset at) =>
        new() { InstanceId = instanceId, Attempt = attempt, DispatchedAt = at };

    /// <summary>The attempt row of <see cref="Release"/>: <see cref="AttemptOutcome.Released"/> (its number is claimed again later).</summary>
    public static TaskAttempt Released(Guid instanceId, int attempt) =>
        new() { InstanceId = instanceId, Attempt = attempt, Outcome = AttemptOutcome.Released };

    /// <summary>The attempt row of <see cref="FailDispatch"/>: <see cref="AttemptOutcome.Failed"/> with a retry,
    /// <see cref="AttemptOutcome.DeadLettered"/> without, the broker's refusal as the error.</summary>
    public static TaskAttempt DispatchFailed(DispatchFailure failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return new TaskAttempt
        {
            InstanceId = failure.InstanceId, Attempt = failure.Attempt, FinishedAt = failure.At, Error = failure.Error,
            Outcome = failure.RetryAt is null ? AttemptOutcome.DeadLettered : AttemptOutcome.Failed,
        };
    }

    /// <summary>The attempt row of <see cref="End"/>: <see cref="AttemptOutcome.Cancelled"/> or <see cref="AttemptOutcome.Skipped"/>.</summary>
    public static TaskAttempt Ended(Guid instanceId, int attempt, TaskInstanceState status, DateTimeOffset at, string? reason) => new()
    {
        InstanceId = instanceId, Attempt = attempt, FinishedAt = at, Error = reason,
        Outcome = status == State.Skipped ? AttemptOutcome.Skipped : AttemptOutcome.Cancelled,
    };

    /// <summary>The attempt row of an applied worker's report (<see cref="Apply"/>): its start and worker, and for an outcome how it ended
    /// (recorded at <see cref="InstanceOutcome.RecordedAt"/>); <see langword="null"/> for a heartbeat, which writes none.</summary>
    public static TaskAttempt? Reported(InstanceOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.Kind == OutcomeKind.Heartbeat)
        {
            return null;
        }

        var ended = outcome.Kind is OutcomeKind.Completed or OutcomeKind.RetryScheduled or OutcomeKind.DeadLettered;
        return new TaskAttempt
        {
            InstanceId = outcome.InstanceId,
            Attempt = outcome.Attempt,
            StartedAt = outcome.StartedAt ?? (outcome.Kind == OutcomeKind.Started ? outcome.RecordedAt : null),
            FinishedAt = ended ? outcome.RecordedAt : null,
            Outcome = AttemptOutcomeOf(outcome.Kind),
            Error = outcome.Error,
            Worker = outcome.Worker,
        };
    }

    /// <summary>The attempt row of <see cref="DeadLetterExpired"/> (after it): <see cref="AttemptOutcome.Expired"/> at <paramref name="now"/>,
    /// with its reason.</summary>
    public static TaskAttempt Expired(TaskInstance instance, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return new TaskAttempt
        {
            InstanceId = instance.Id, Attempt = instance.Attempt, FinishedAt = now, Outcome = AttemptOutcome.Expired, Error = instance.LastError,
        };
    }

    /// <summary>Writes <paramref name="change"/> into <paramref name="history"/>, as the SQL's upsert does (<see cref="UpsertAttemptsSql"/>): a
    /// new attempt is added; a kept one takes each value <paramref name="change"/> gives and keeps the others, or, for a
    /// <paramref name="claim"/>, starts over with the claim.</summary>
    public static void Record(IDictionary<(Guid InstanceId, int Attempt), TaskAttempt> history, TaskAttempt? change, bool claim = false)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (change is null)
        {
            return;
        }

        if (!history.TryGetValue((change.InstanceId, change.Attempt), out var kept))
        {
            history[(change.InstanceId, change.Attempt)] = change.Clone();
            return;
        }

        if (claim)
        {
            kept.ClaimedBy = change.ClaimedBy;
            kept.ClaimedAt = change.ClaimedAt;
            kept.DispatchedAt = kept.StartedAt = kept.FinishedAt = null;
            kept.Outcome = null;
            kept.Error = kept.Worker = null;
            return;
        }

        kept.ClaimedBy = change.ClaimedBy ?? kept.ClaimedBy;
        kept.ClaimedAt = change.ClaimedAt ?? kept.ClaimedAt;
        kept.DispatchedAt = change.DispatchedAt ?? kept.DispatchedAt;
        kept.StartedAt = change.StartedAt ?? kept.StartedAt;
        kept.FinishedAt = change.FinishedAt ?? kept.FinishedAt;
        kept.Outcome = change.Outcome ?? kept.Outcome;
        kept.Error = change.Error ?? kept.Error;
        kept.Worker = change.Worker ?? kept.Worker;
    }

    /// <summary>
    /// <paramref name="instance"/>'s attempt history as operators read it: <paramref name="attempts"/> (its rows) first to last, each attempt
    /// without an outcome that a later attempt superseded read as <see cref="AttemptOutcome.Expired"/> (its expiry is what let the next one be
    /// claimed), with the reason <see cref="ExpiryReason"/> gives for its start; the attempt now claimed or running has none.
    /// </summary>
    public static IReadOnlyList<TaskAttemptInfo> History(TaskInstance instance, IEnumerable<TaskAttempt> attempts)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(attempts);
        return attempts.Where(a => a.InstanceId == instance.Id).OrderBy(a => a.Attempt).Select(a =>
        {
            var superseded = a.Outcome is null && a.Attempt < instance.Attempt && a.ClaimedAt is not null;
            return new TaskAttemptInfo
            {
                Attempt = a.Attempt,
                ClaimedBy = a.ClaimedBy,
                ClaimedAt = a.ClaimedAt,
                DispatchedAt = a.DispatchedAt,
                StartedAt = a.StartedAt,
                FinishedAt = a.FinishedAt,
                Outcome = superseded ? AttemptOutcome.Expired : a.Outcome,
                Error = a.Error ?? (superseded ? (a.StartedAt is null ? NotStartedReason : ExpiredReason) : null),
                Worker = a.Worker,
            };
        }).ToList();
    }

    private static AttemptOutcome? AttemptOutcomeOf(OutcomeKind kind) => kind switch
    {
        OutcomeKind.Completed => AttemptOutcome.Completed,
        OutcomeKind.RetryScheduled => AttemptOutcome.Failed,
        OutcomeKind.DeadLettered => AttemptOutcome.DeadLettered,
        _ => null,
    };

    // The SQL of the rows above. Each is a row of UpsertAttemptsSql's SELECT: (instance_id, attempt, claimed_by, claimed_at, dispatched_at,
    // started_at, finished_at, outcome, error, worker), over the transition's rows (o, or u: the rows it
    // updated).

    private const string AttemptColumns =
        "instance_id, attempt, claimed_by, claimed_at, dispatched_at, started_at, finished_at, outcome, error, worker";

    private static readonly string[] MergedColumns =
        ["claimed_by", "claimed_at", "dispatched_at", "started_at", "finished_at", "outcome", "error", "worker"];

    /// <summary>One row of attempt values, <c>NULL</c> for each not given.</summary>
    private static string AttemptRow(string id, string attempt, string claimedBy = "NULL", string claimedAt = "NULL", string dispatchedAt = "NULL",
        string startedAt = "NULL", string finishedAt = "NULL", string outcome = "NULL", string error = "NULL", string worker = "NULL") =>
        string.Join(", ", id, attempt, claimedBy, claimedAt, dispatchedAt, startedAt, finishedAt, outcome, error, worker);

    /// <summary>SQL of <see cref="Record"/>: <c>INSERT … SELECT <paramref name="row"/> FROM <paramref name="from"/> WHERE <paramref name="where"/></c>,
    /// merged into a kept row (each non-null value replaces), or, for a <paramref name="claim"/>, starting it over.</summary>
    internal static string UpsertAttemptsSql(string row, string from, string where, bool claim = false)
    {
        var set = claim
            ? "claimed_by = excluded.claimed_by, claimed_at = excluded.claimed_at, dispatched_at = NULL, started_at = NULL, finished_at = NULL, " +
              "outcome = NULL, error = NULL, worker = NULL"
            : string.Join(", ", MergedColumns.Select(c => $"{c} = COALESCE(excluded.{c}, {TaskAttempts}.{c})"));
        return $"INSERT INTO {TaskAttempts} ({AttemptColumns}) SELECT {row} FROM {from} WHERE {where} ON CONFLICT (instance_id, attempt) DO UPDATE SET {set}";
    }

    /// <summary>
    /// A fenced transition over rows <c>o</c> with its attempt rows, as one command: <c>UPDATE … AS t SET <paramref name="assignments"/> FROM o
    /// WHERE <paramref name="fence"/></c>, and the upsert of <paramref name="attemptRow"/> (over <c>o</c>) for each row it updated that
    /// <paramref name="attemptFilter"/> keeps. With a data-modifying CTE (<paramref name="cte"/>: PostgreSQL, CockroachDB) the upsert reads the
    /// updated ids; without (SQLite), it runs first, fenced by <paramref name="fence"/> over the same rows, in the same command. Returns the ids
    /// updated in a column named <c>Value</c>.
    /// </summary>
    internal static string WithAttemptsSql(bool cte, string columns, string rows, string assignments, string fence, string attemptRow,
        string attemptFilter, string returningId)
    {
        var update = $"UPDATE {TaskInstances} AS t SET {assignments}, version = t.version + 1 FROM o WHERE {fence}";
        return cte
            ? $"""
              WITH o {columns} AS (VALUES {rows}), u AS ({update} RETURNING t.id),
              a AS ({UpsertAttemptsSql(attemptRow, "o", $"o.id IN (SELECT id FROM u) AND {attemptFilter}")})
              SELECT id AS "Value" FROM u
              """
            : $"""
              WITH o {columns} AS (VALUES {rows}) {UpsertAttemptsSql(attemptRow, $"o, {TaskInstances} AS t", $"{fence} AND {attemptFilter}")};
              WITH o {columns} AS (VALUES {rows}) {update} RETURNING {returningId} AS "Value"
              """;
    }

    /// <summary>Row of <see cref="Claimed"/> over the claimed rows <c>u (id, attempt)</c>.</summary>
    internal static string ClaimedAttemptSql(string owner, string now) =>
        UpsertAttemptsSql(AttemptRow("u.id", "u.attempt", claimedBy: owner, claimedAt: now), "u", "1 = 1", claim: true);

    /// <summary>Row of <see cref="Expired"/> over the dead-lettered rows <c>u (id, attempt, last_error)</c>.</summary>
    internal static string ExpiredAttemptSql(string now) =>
        UpsertAttemptsSql(AttemptRow("u.id", "u.attempt", finishedAt: now, outcome: Of(AttemptOutcome.Expired), error: "u.last_error"), "u", "1 = 1");

    /// <summary>Row of <see cref="Dispatched"/> over <c>o (id, attempt, at)</c>.</summary>
    internal static readonly string DispatchedAttemptRow = AttemptRow("o.id", "o.attempt", dispatchedAt: "o.at");

    /// <summary>Row of <see cref="Released"/> over <c>o (id, attempt)</c>.</summary>
    internal static readonly string ReleasedAttemptRow = AttemptRow("o.id", "o.attempt", outcome: Of(AttemptOutcome.Released));

    /// <summary>Row of <see cref="DispatchFailed"/> over <c>o (id, attempt, at, error, retry_at)</c>.</summary>
    internal static readonly string DispatchFailedAttemptRow = AttemptRow("o.id", "o.attempt", finishedAt: "o.at", error: "o.error",
        outcome: $"CASE WHEN o.retry_at IS NULL THEN {Of(AttemptOutcome.DeadLettered)} ELSE {Of(AttemptOutcome.Failed)} END");

    /// <summary>Row of <see cref="Ended"/> over <c>o (id, attempt)</c>.</summary>
    internal static string EndedAttemptRow(TaskInstanceState status, string at, string reason) => AttemptRow("o.id", "o.attempt", finishedAt: at,
        error: reason, outcome: Of(status == State.Skipped ? AttemptOutcome.Skipped : AttemptOutcome.Cancelled));

    /// <summary>Row of <see cref="Reported"/> over <c>o (id, attempt, kind, recorded_at, started_at, reported_at, retry_at, error, worker)</c>;
    /// its filter leaves heartbeats out.</summary>
    internal static string ReportedAttemptRow()
    {
        var completed = Of(OutcomeKind.Completed);
        var retry = Of(OutcomeKind.RetryScheduled);
        var deadLettered = Of(OutcomeKind.DeadLettered);
        return AttemptRow("o.id", "o.attempt",
            startedAt: $"CASE WHEN o.kind = {Of(OutcomeKind.Started)} THEN COALESCE(o.started_at, o.recorded_at) ELSE o.started_at END",
            finishedAt: $"CASE WHEN o.kind IN ({completed}, {retry}, {deadLettered}) THEN o.recorded_at ELSE NULL END",
            outcome: $"CASE WHEN o.kind = {completed} THEN {Of(AttemptOutcome.Completed)} WHEN o.kind = {retry} THEN {Of(AttemptOutcome.Failed)} " +
                     $"WHEN o.kind = {deadLettered} THEN {Of(AttemptOutcome.DeadLettered)} ELSE NULL END",
            error: "o.error", worker: "o.worker");
    }

    /// <summary>The filter of <see cref="ReportedAttemptRow"/>: every report but a heartbeat.</summary>
    internal static readonly string ReportedAttemptFilter = $"o.kind <> {Of(OutcomeKind.Heartbeat)}";
}
