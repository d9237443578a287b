using Scheduler.Contracts;
using Scheduler.Core.Definitions;

using static Scheduler.Core.Storage.SqlValues;
using State = Scheduler.Contracts.TaskInstanceState;

namespace Scheduler.Core.Storage;

/// <summary>The task instance saga's transitions: a worker's report (start, heartbeat, completion, retry, dead letter) applied to the row (<c>EfTaskStore.Outcomes.cs</c> runs the SQL).</summary>
public static partial class TaskInstanceLifecycle
{
    /// <summary>
    /// The fence of the saga's transitions, and so the saga's own guard: a completion applies to an instance Scheduled, Claimed, Dispatched
    /// or Failed (a success counts even after a retry was scheduled, another attempt claimed, or the instance dead-lettered); a start, a
    /// heartbeat or a failure only to the attempt that is current and out (Claimed — sent, its dispatch not yet recorded — or Dispatched).
    /// Completed, Cancelled and Skipped instances accept nothing.
    /// </summary>
    /// <remarks>A report the fence refuses is stale (its attempt was superseded, or the instance finished meanwhile): the saga drops it; it is
    /// never retried, since the fence only closes when the instance has moved past the reported attempt.</remarks>
    public static bool Accepts(TaskInstance instance, OutcomeKind kind, int attempt)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return AcceptingStates(kind).Contains(instance.Status) && (kind == OutcomeKind.Completed || instance.Attempt == attempt);
    }

    /// <summary>The states in which an outcome of <paramref name="kind"/> is accepted (<see cref="Accepts"/>; the store's SQL fence reads the
    /// same list): a completion in any state but Completed, Cancelled and Skipped (a late success still counts, over a dead letter too); every
    /// other outcome only while its attempt, the current one, is Claimed or Dispatched.</summary>
    public static IReadOnlyList<TaskInstanceState> AcceptingStates(OutcomeKind kind) => kind == OutcomeKind.Completed ? CompletionStates : AttemptStates;

    /// <summary>What a failure of <paramref name="attempt"/> leads to: the next attempt, due after the retry policy's backoff from
    /// <paramref name="now"/> (with its jitter), while the policy allows another; <see langword="null"/> when it was the last, and the instance is
    /// dead-lettered. The saga decides a worker's failure by it, the runner a dispatch the broker refused. After a requeue the backoff starts
    /// again from the policy's first delay (<see cref="Requeue"/>: a fresh budget).</summary>
    public static DateTimeOffset? RetryAt(TaskInstance instance, int attempt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return attempt < instance.MaxAttempts
            ? now + Backoff.Delay(instance.Retry, Math.Max(1, attempt - AttemptsBeforeBudget(instance)), Random.Shared.NextDouble)
            : null;
    }

    /// <summary>Applies <paramref name="outcome"/>, which <see cref="Accepts"/> must allow.</summary>
    public static void Apply(TaskInstance instance, InstanceOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.Kind is not (OutcomeKind.Started or OutcomeKind.Heartbeat))
        {
            instance.StartedAt = outcome.StartedAt ?? instance.StartedAt;
        }

        switch (outcome.Kind)
        {
            case OutcomeKind.Completed:
                instance.Status = TaskInstanceState.Completed;
                // The attempt that completed, if later than the row's: a send that timed out gave its attempt number back (Claimed →
                // Scheduled) although the broker had taken the message, and its handler ran.
                instance.Attempt = Math.Max(instance.Attempt, outcome.Attempt);
                instance.CompletedAt = outcome.RecordedAt;
                instance.ReportedCompletedAt = outcome.ReportedCompletedAt;
                instance.FailedAt = null;
                instance.FinishedAt = outcome.RecordedAt;
                instance.DueAt = null;
                ClearClaim(instance);
                return;
            case OutcomeKind.RetryScheduled:
                instance.Status = TaskInstanceState.Scheduled;
                instance.DueAt = outcome.RetryAt;
                instance.LastError = outcome.Error;
                ClearClaim(instance);
                return;
            case OutcomeKind.DeadLettered:
                instance.Status = TaskInstanceState.Failed;
                instance.DueAt = null;
                instance.FailedAt = outcome.RecordedAt;
                instance.FinishedAt = outcome.RecordedAt;
                instance.LastError = outcome.Error;
                ClearClaim(instance);
                return;
            default:
                Alive(instance, outcome);
                return;
        }
    }

    /// <summary>
    /// A start or a heartbeat of the current attempt: the attempt is running. Its first report records the start (the worker's time, or the
    /// recording time from a worker that does not send it) and, once dispatched, makes it expire ExpireAfter after the recording time — the
    /// time it waited in the queue no longer counts; each later one only moves the expiry forward, to the recording time plus ExpireAfter
    /// (never back, so reports that arrive out of order or twice change nothing). While Claimed (the dispatch not yet recorded) only the
    /// start is kept: <see cref="RecordDispatch"/> sets the expiry from it.
    /// </summary>
    private static void Alive(TaskInstance instance, InstanceOutcome outcome)
    {
        var renewed = outcome.RecordedAt + instance.ExpireAfter;
        if (instance.Status == TaskInstanceState.Dispatched)
        {
            instance.DueAt = instance.StartedAt is null || instance.DueAt is not { } due || due < renewed ? renewed : due;
        }

        instance.StartedAt ??= outcome.StartedAt ?? outcome.RecordedAt;
        instance.Version++;
    }

    /// <summary>SQL of <see cref="Accepts"/> → <see cref="Apply"/> over rows <c>o (id, attempt, kind, recorded_at, started_at, reported_at, retry_at,
    /// error, worker)</c>, each row's outcome once (run by EfTaskStore.Outcomes.cs): the fence is <see cref="AcceptingStates"/>; the assignments are
    /// <see cref="Apply"/>'s (Started and Heartbeat are its Alive: a start, or a heartbeat that moves the expiry only forward). Each applied
    /// report but a heartbeat writes its attempt row (<see cref="Reported"/>) in the same command (<see cref="WithAttemptsSql"/>, <paramref name="cte"/>).
    /// Returns the ids updated in a column named <c>Value</c>.</summary>
    internal static string ApplyOutcomesSql(string rows, string returningId, bool cte)
    {
        var alive = In(OutcomeKind.Started, OutcomeKind.Heartbeat);
        var completed = Of(OutcomeKind.Completed);
        var retry = Of(OutcomeKind.RetryScheduled);
        var deadLettered = Of(OutcomeKind.DeadLettered);
        var assignments = $"""
                status = CASE WHEN o.kind IN ({alive}) THEN t.status WHEN o.kind = {completed} THEN {Of(State.Completed)}
                    WHEN o.kind = {retry} THEN {Of(State.Scheduled)} ELSE {Of(State.Failed)} END,
                attempt = CASE WHEN o.kind = {completed} AND o.attempt > t.attempt THEN o.attempt ELSE t.attempt END,
                started_at = CASE WHEN o.kind IN ({alive}) THEN COALESCE(t.started_at, o.started_at, o.recorded_at) ELSE COALESCE(o.started_at, t.started_at) END,
                completed_at = CASE WHEN o.kind = {completed} THEN o.recorded_at ELSE t.completed_at END,
                reported_completed_at = CASE WHEN o.kind = {completed} THEN o.reported_at ELSE t.reported_completed_at END,
                failed_at = CASE WHEN o.kind = {completed} THEN NULL WHEN o.kind = {deadLettered} THEN o.recorded_at ELSE t.failed_at END,
                finished_at = CASE WHEN o.kind IN ({completed}, {deadLettered}) THEN o.recorded_at ELSE t.finished_at END,
                due_at = CASE
                    WHEN o.kind IN ({alive}) THEN CASE WHEN t.status = {Of(State.Dispatched)} AND (t.started_at IS NULL OR t.due_at < o.recorded_at + t.expire_after)
                        THEN o.recorded_at + t.expire_after ELSE t.due_at END
                    WHEN o.kind = {retry} THEN o.retry_at ELSE NULL END,
                last_error = CASE WHEN o.kind IN ({retry}, {deadLettered}) THEN o.error ELSE t.last_error END,
                lease_owner = CASE WHEN o.kind IN ({alive}) THEN t.lease_owner ELSE NULL END,
                lease_expires_at = CASE WHEN o.kind IN ({alive}) THEN t.lease_expires_at ELSE NULL END
            """;
        var fence = $"t.id = o.id AND ((o.kind = {completed} AND t.status IN ({In(AcceptingStates(OutcomeKind.Completed))})) " +
                    $"OR (o.kind <> {completed} AND t.attempt = o.attempt AND t.status IN ({In(AcceptingStates(OutcomeKind.Started))})))";
        return WithAttemptsSql(cte, "(id, attempt, kind, recorded_at, started_at, reported_at, retry_at, error, worker)", rows, assignments, fence,
            ReportedAttemptRow(), ReportedAttemptFilter, returningId);
    }
}
