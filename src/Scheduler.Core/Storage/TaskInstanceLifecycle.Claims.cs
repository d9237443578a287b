using Scheduler.Contracts;
using Scheduler.Core.Definitions;

using static Scheduler.Core.Storage.SqlValues;
using State = Scheduler.Contracts.TaskInstanceState;

namespace Scheduler.Core.Storage;

/// <summary>The runner's transitions: claim (due, expired or lapsed → Claimed), dead letter of an expired last attempt, and the transitions of a held claim (dispatch recorded, released, dispatch failed, ended, lease renewed), plus the grace after a broker outage. Each with its fence and its SQL (<c>EfTaskStore.Runner.cs</c> runs it).</summary>
public static partial class TaskInstanceLifecycle
{
    /// <summary>Claimable as due: Scheduled with its due time within <paramref name="horizon"/>, or (with <paramref name="expiredAttempts"/>)
    /// Dispatched with its attempt expired at <paramref name="now"/> and attempts left.</summary>
    public static bool IsDue(TaskInstance instance, DateTimeOffset now, DateTimeOffset horizon, bool expiredAttempts = true)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return (instance.Status == TaskInstanceState.Scheduled && instance.DueAt <= horizon)
            || (expiredAttempts && instance.Status == TaskInstanceState.Dispatched && instance.DueAt <= now && instance.Attempt < instance.MaxAttempts);
    }

    /// <summary>Claimable because another claim lapsed: Claimed with the lease over at <paramref name="now"/> (its holder died or fell behind).</summary>
    public static bool HasLapsedClaim(TaskInstance instance, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return instance.Status == TaskInstanceState.Claimed && instance.LeaseExpiresAt <= now;
    }

    /// <summary>Dispatched, expired at <paramref name="now"/>, and the attempt was the last the retry policy allows.</summary>
    public static bool IsExpiredLastAttempt(TaskInstance instance, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return instance.Status == TaskInstanceState.Dispatched && instance.DueAt <= now && instance.Attempt >= instance.MaxAttempts;
    }

    /// <summary>
    /// → Claimed by <paramref name="owner"/>: a Scheduled instance or an expired Dispatched attempt reserves the next attempt number (an
    /// expired attempt is due again at once) and clears the start of the previous one; a lapsed claim keeps the number it reserved, since it was
    /// never recorded as dispatched, so the attempt number never exceeds <see cref="TaskInstance.MaxAttempts"/>. The lease lasts until the due
    /// time (or now, if later) plus <paramref name="leaseDuration"/>.
    /// </summary>
    public static void Claim(TaskInstance instance, string owner, DateTimeOffset now, TimeSpan leaseDuration)
    {
        ArgumentNullException.ThrowIfNull(instance);
        if (instance.Status == TaskInstanceState.Dispatched)
        {
            instance.DueAt = now;
        }

        if (instance.Status != TaskInstanceState.Claimed)
        {
            instance.Attempt++;
            instance.StartedAt = null;
        }

        instance.Status = TaskInstanceState.Claimed;
        instance.LeaseOwner = owner;
        instance.LeaseExpiresAt = (instance.DueAt > now ? instance.DueAt.Value : now) + leaseDuration;
        instance.Version++;
    }

    /// <summary>Why <paramref name="instance"/>'s expired attempt expired: <see cref="ExpiredReason"/> once a worker reported its start,
    /// <see cref="NotStartedReason"/> before.</summary>
    public static string ExpiryReason(TaskInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return instance.StartedAt is null ? NotStartedReason : ExpiredReason;
    }

    /// <summary>Dispatched → Failed (dead letter) with <see cref="ExpiryReason"/>.</summary>
    public static void DeadLetterExpired(TaskInstance instance, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(instance);
        instance.Status = TaskInstanceState.Failed;
        instance.DueAt = null;
        instance.FailedAt = now;
        instance.FinishedAt = now;
        instance.LastError = ExpiryReason(instance);
        instance.Version++;
    }

    /// <summary>The fence of the runner's transitions: Claimed by <paramref name="owner"/> with attempt <paramref name="attempt"/> reserved.</summary>
    public static bool HoldsClaim(TaskInstance instance, string owner, int attempt)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return instance.Status == TaskInstanceState.Claimed && instance.LeaseOwner == owner && instance.Attempt == attempt;
    }

    /// <summary>
    /// Claimed → Dispatched at <paramref name="at"/>, claim cleared. The attempt expires (is due again) at <paramref name="at"/> plus
    /// <paramref name="queueTimeout"/> plus ExpireAfter while no worker has reported its start — its <c>TaskDue</c> may wait in the queue up to
    /// <paramref name="queueTimeout"/> (its time to live there) and then run for ExpireAfter — or at <paramref name="at"/> plus ExpireAfter when a
    /// start was recorded before the dispatch was.
    /// </summary>
    public static void RecordDispatch(TaskInstance instance, DateTimeOffset at, TimeSpan queueTimeout)
    {
        ArgumentNullException.ThrowIfNull(instance);
        instance.Status = TaskInstanceState.Dispatched;
        instance.DispatchedAt = at;
        instance.DueAt = at + (instance.StartedAt is null ? queueTimeout : TimeSpan.Zero) + instance.ExpireAfter;
        ClearClaim(instance);
    }

    /// <summary>Claimed → Scheduled, the reserved attempt number given back, due at <paramref name="dueAt"/> if given, else at the due time
    /// it had (a claim taken for an expired attempt stays due now).</summary>
    public static void Release(TaskInstance instance, DateTimeOffset? dueAt = null)
    {
        ArgumentNullException.ThrowIfNull(instance);
        instance.Status = TaskInstanceState.Scheduled;
        instance.DueAt = dueAt ?? instance.DueAt;
        instance.Attempt--;
        ClearClaim(instance);
    }

    /// <summary>
    /// Claimed → Scheduled due at <see cref="DispatchFailure.RetryAt"/>, or → Failed (dead letter) when it is <see langword="null"/>: the
    /// dispatch failed for a reason of its own, so, unlike <see cref="Release"/>, the reserved attempt number stays used.
    /// </summary>
    public static void FailDispatch(TaskInstance instance, DispatchFailure failure)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(failure);
        instance.LastError = failure.Error;
        instance.DueAt = failure.RetryAt;
        if (failure.RetryAt is null)
        {
            instance.Status = TaskInstanceState.Failed;
            instance.FailedAt = failure.At;
            instance.FinishedAt = failure.At;
        }
        else
        {
            instance.Status = TaskInstanceState.Scheduled;
        }

        ClearClaim(instance);
    }

    /// <summary>Throws unless <paramref name="status"/> is one a claim can end in: Cancelled or Skipped.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="status"/> is another status.</exception>
    public static void RequireEndStatus(TaskInstanceState status)
    {
        if (status is not (TaskInstanceState.Cancelled or TaskInstanceState.Skipped))
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "A claim ends Cancelled or Skipped.");
        }
    }

    /// <summary>→ <paramref name="status"/> (Cancelled or Skipped, final) at <paramref name="at"/>, with <paramref name="reason"/> as
    /// <c>last_error</c> when given: a claim of a cancelled task, or an occurrence its overlap policy skips.</summary>
    public static void End(TaskInstance instance, TaskInstanceState status, DateTimeOffset at, string? reason)
    {
        ArgumentNullException.ThrowIfNull(instance);
        instance.Status = status;
        instance.DueAt = null;
        instance.FinishedAt = at;
        instance.LastError = reason ?? instance.LastError;
        ClearClaim(instance);
    }

    /// <summary>Claimed → Claimed with the lease extended to <paramref name="leaseExpiresAt"/>.</summary>
    public static void RenewLease(TaskInstance instance, DateTimeOffset leaseExpiresAt)
    {
        ArgumentNullException.ThrowIfNull(instance);
        instance.LeaseExpiresAt = leaseExpiresAt;
        instance.Version++;
    }

    /// <summary>
    /// Dispatched → Dispatched, due (the expiry) = max(due, <paramref name="now"/> + ExpireAfter): after an outage of the broker no report of a
    /// running attempt could reach the scheduler, so silence proves nothing yet; each attempt gets its ExpireAfter again, from the moment reports
    /// can arrive, before it counts as lost. Returns whether the expiry moved.
    /// </summary>
    public static bool GraceAfterOutage(TaskInstance instance, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var renewed = now + instance.ExpireAfter;
        if (instance.Status != TaskInstanceState.Dispatched || instance.DueAt >= renewed)
        {
            return false;
        }

        instance.DueAt = renewed;
        instance.Version++;
        return true;
    }

    // The SQL of the transitions above, as the EF Core store runs them (EfTaskStore.Runner.cs): set-based, one statement per batch. Arguments
    // are parameter placeholders, or the engine's fragments: lockClause (SqlDialect.Lock), greatest (MAX on SQLite, GREATEST elsewhere).

    /// <summary>SQL of <see cref="IsExpiredLastAttempt"/> → <see cref="DeadLetterExpired"/> for up to <c>limit</c> instances, with the reason of
    /// <see cref="ExpiryReason"/>; returns their rows. With <paramref name="cte"/> (PostgreSQL, CockroachDB) it writes their attempt rows
    /// (<see cref="Expired"/>) too; without (SQLite) the store writes them next, from the rows returned (<see cref="ExpiredAttemptSql"/>).</summary>
    internal static string DeadLetterExpiredSql(string now, string expiredReason, string notStartedReason, string limit, string lockClause, bool cte)
    {
        var candidates = $"SELECT i.id FROM {TaskInstances} AS i WHERE i.status IN ({DueIndexStates}) AND i.due_at <= {now} AND i.status = {Of(State.Dispatched)} " +
                         $"AND i.attempt >= i.max_attempts ORDER BY i.due_at LIMIT {limit}{lockClause}";
        var update = $"UPDATE {TaskInstances} SET status = {Of(State.Failed)}, due_at = NULL, failed_at = {now}, finished_at = {now}, " +
               $"last_error = CASE WHEN started_at IS NULL THEN {notStartedReason} ELSE {expiredReason} END, version = version + 1 WHERE id IN ({candidates}) RETURNING *";
        return cte ? $"WITH u AS ({update}), a AS ({ExpiredAttemptSql(now)}) SELECT * FROM u" : update;
    }

    /// <summary>
    /// SQL of <see cref="IsDue"/> or <see cref="HasLapsedClaim"/> → <see cref="Claim"/> for up to <c>limit</c> instances, earliest first; returns
    /// their rows. Due ones come from the due index, lapsed claims from the lease index (their predicates repeated, so every engine can prove
    /// the indexes apply); claimed rows leave the due index. Without <paramref name="expiredAttempts"/> expired attempts are left alone. With
    /// <paramref name="cte"/> (PostgreSQL, CockroachDB) it writes their attempt rows (<see cref="Claimed"/>) too; without (SQLite) the store writes
    /// them next, from the rows returned (<see cref="ClaimedAttemptSql"/>).
    /// </summary>
    internal static string ClaimSql(string owner, string now, string horizon, string lease, string limit, bool expiredAttempts, string lockClause, string greatest,
        bool cte)
    {
        var expired = expiredAttempts ? $"(i.due_at <= {now} AND i.attempt < i.max_attempts)" : "1 = 0";
        var due = $"SELECT i.id, i.due_at AS k FROM {TaskInstances} AS i WHERE i.status IN ({DueIndexStates}) AND i.due_at <= {horizon} AND (i.status = {Of(State.Scheduled)} OR {expired}) ORDER BY i.due_at LIMIT {limit}{lockClause}";
        var lapsed = $"SELECT i.id, i.lease_expires_at AS k FROM {TaskInstances} AS i WHERE i.status = {LeaseIndexState} AND i.lease_expires_at <= {now} ORDER BY i.lease_expires_at LIMIT {limit}{lockClause}";
        var dueAt = $"CASE WHEN status = {Of(State.Dispatched)} THEN {now} ELSE due_at END";
        var claimed = Of(State.Claimed);
        var update = $"""
            UPDATE {TaskInstances} SET status = {claimed}, attempt = CASE WHEN status = {claimed} THEN attempt ELSE attempt + 1 END,
                started_at = CASE WHEN status = {claimed} THEN started_at ELSE NULL END, due_at = {dueAt}, lease_owner = {owner},
                lease_expires_at = {greatest}({dueAt}, {now}) + {lease}, version = version + 1
            WHERE id IN (SELECT id FROM pick) RETURNING *
            """;
        var pick = $"WITH due AS ({due}), lapsed AS ({lapsed}), pick AS (SELECT id FROM (SELECT id, k FROM due UNION ALL SELECT id, k FROM lapsed) AS c ORDER BY k LIMIT {limit})";
        return cte ? $"{pick}, u AS ({update}), a AS ({ClaimedAttemptSql(owner, now)}) SELECT * FROM u" : $"{pick} {update}";
    }

    /// <summary>SQL of a transition of held claims over rows <c>o</c> <paramref name="columns"/> (their first two: id, attempt): the fence
    /// <see cref="HoldsClaim"/>, then <paramref name="assignments"/>; returns the ids updated in a column named <c>Value</c>
    /// (<paramref name="returningId"/>: SqlDialect.ReturningId).</summary>
    internal static string HeldClaimsSql(string columns, string rows, string owner, string assignments, string returningId) => $"""
        WITH o {columns} AS (VALUES {rows})
        UPDATE {TaskInstances} AS t SET {assignments}, version = t.version + 1
        FROM o WHERE {HeldClaimFence(owner)}
        RETURNING {returningId} AS "Value"
        """;

    /// <summary><see cref="HeldClaimsSql"/> that writes each updated row's attempt row (<paramref name="attemptRow"/> over <c>o</c>) too, in the
    /// same command (<see cref="WithAttemptsSql"/>).</summary>
    internal static string HeldClaimsWithAttemptsSql(bool cte, string columns, string rows, string owner, string assignments, string attemptRow,
        string returningId) =>
        WithAttemptsSql(cte, columns, rows, assignments, HeldClaimFence(owner), attemptRow, "1 = 1", returningId);

    /// <summary>The fence <see cref="HoldsClaim"/> over rows <c>o (id, attempt, …)</c> and the instance <c>t</c>.</summary>
    private static string HeldClaimFence(string owner) =>
        $"t.id = o.id AND t.attempt = o.attempt AND t.lease_owner = {owner} AND t.status = {Of(State.Claimed)}";

    /// <summary>Assignments of <see cref="RecordDispatch"/> over rows <c>o (id, attempt, at)</c>.</summary>
    internal static string RecordDispatchSql(string queueTimeout, string zero) =>
        $"status = {Of(State.Dispatched)}, dispatched_at = o.at, due_at = o.at + CASE WHEN t.started_at IS NULL THEN {queueTimeout} ELSE {zero} END + t.expire_after, " +
        "lease_owner = NULL, lease_expires_at = NULL";

    /// <summary>Assignments of <see cref="Release"/> over rows <c>o (id, attempt)</c>.</summary>
    internal static string ReleaseSql(string dueAt) =>
        $"status = {Of(State.Scheduled)}, attempt = t.attempt - 1, due_at = COALESCE({dueAt}, t.due_at), lease_owner = NULL, lease_expires_at = NULL";

    /// <summary>Assignments of <see cref="FailDispatch"/> over rows <c>o (id, attempt, at, error, retry_at)</c>.</summary>
    internal static readonly string FailDispatchSql =
        $"status = CASE WHEN o.retry_at IS NULL THEN {Of(State.Failed)} ELSE {Of(State.Scheduled)} END, due_at = o.retry_at, last_error = o.error, " +
        "failed_at = CASE WHEN o.retry_at IS NULL THEN o.at ELSE t.failed_at END, " +
        "finished_at = CASE WHEN o.retry_at IS NULL THEN o.at ELSE t.finished_at END, lease_owner = NULL, lease_expires_at = NULL";

    /// <summary>Assignments of <see cref="End"/> over rows <c>o (id, attempt)</c>.</summary>
    internal static string EndSql(string status, string at, string reason) =>
        $"status = {status}, due_at = NULL, finished_at = {at}, last_error = COALESCE({reason}, t.last_error), lease_owner = NULL, lease_expires_at = NULL";

    /// <summary>Assignments of <see cref="RenewLease"/> over rows <c>o (id, attempt)</c>.</summary>
    internal static string RenewLeaseSql(string leaseExpiresAt) => $"lease_expires_at = {leaseExpiresAt}";

    /// <summary>SQL of <see cref="GraceAfterOutage"/> for every running attempt.</summary>
    internal static string GraceAfterOutageSql(string now) =>
        $"UPDATE {TaskInstances} SET due_at = {now} + expire_after, version = version + 1 WHERE status = {Of(State.Dispatched)} AND due_at < {now} + expire_after";
}
