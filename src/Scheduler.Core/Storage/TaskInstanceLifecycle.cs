using Scheduler.Contracts;
using Scheduler.Core.Definitions;

namespace Scheduler.Core.Storage;

/// <summary>
/// The task instance's state table, written once: which transition applies to which state, fenced by (instance id, attempt, claim owner),
/// and what it writes. <see cref="InMemoryTaskStore"/> runs these methods; the EF Core store runs the same table as set-based SQL; one contract
/// test suite holds every store to it. The table itself, with a picture, is in docs/guarantees.md.
/// </summary>
/// <remarks>
/// <para>Writers: the scheduler loop inserts Scheduled rows; the runner loop claims (Scheduled, expired Dispatched, or a lapsed claim →
/// Claimed), records dispatches (Claimed → Dispatched), renews and releases its claims, and dead-letters a Dispatched attempt that expired as
/// the last allowed one; the task instance saga applies worker outcomes (<see cref="Accepts"/>, <see cref="Apply"/>); CancelTask cancels
/// Scheduled and Claimed rows.</para>
/// <para>Every transition states its precondition (the fence) and nothing else: a stale actor — a runner whose claim lapsed, a report on a
/// superseded attempt — finds the fence closed and writes nothing. No transition compares whole rows or merges them.</para>
/// </remarks>
public static class TaskInstanceLifecycle
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

    /// <summary>Why <paramref name="instance"/>'s expired attempt expired: <see cref="ExpiredReason"/> once a worker reported its start,
    /// <see cref="NotStartedReason"/> before.</summary>
    public static string ExpiryReason(TaskInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return instance.StartedAt is null ? NotStartedReason : ExpiredReason;
    }

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

    /// <summary>Claimed → Claimed with the lease extended to <paramref name="leaseExpiresAt"/>.</summary>
    public static void RenewLease(TaskInstance instance, DateTimeOffset leaseExpiresAt)
    {
        ArgumentNullException.ThrowIfNull(instance);
        instance.LeaseExpiresAt = leaseExpiresAt;
        instance.Version++;
    }

    /// <summary>The fence of <see cref="EndEarlierRunClaim"/>: Claimed by <paramref name="owner"/> with a lease still running at
    /// <paramref name="now"/>, found when a run of node <paramref name="owner"/> starts, so made by an earlier run of it.</summary>
    public static bool IsClaimOfEarlierRun(TaskInstance instance, string owner, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return instance.Status == TaskInstanceState.Claimed && instance.LeaseOwner == owner && instance.LeaseExpiresAt > now;
    }

    /// <summary>
    /// Claimed → Claimed with the lease ended at <paramref name="now"/>: the claim of an earlier run of a node that starts again under the same
    /// node id. That run is over (<see cref="INodeStore.StartNodeRunAsync"/> checked it shows no sign of life), so the claim is a lapsed claim
    /// from now on (<see cref="HasLapsedClaim"/>): claimed at once by any node, with the attempt number it reserved, as after its lease.
    /// </summary>
    public static void EndEarlierRunClaim(TaskInstance instance, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(instance);
        instance.LeaseExpiresAt = now;
        instance.Version++;
    }

    /// <summary>Scheduled or Claimed → Cancelled (the task was cancelled); an attempt already dispatched is left to finish.</summary>
    public static bool IsCancellable(TaskInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return instance.Status is TaskInstanceState.Scheduled or TaskInstanceState.Claimed;
    }

    /// <summary>Scheduled or Claimed and not begun (<see cref="TaskInstance.HasBegun"/>): an occurrence a pause or an update takes back
    /// (deletes, to plan it again), since no attempt of it was handed out.</summary>
    public static bool IsNotBegun(TaskInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return instance.Status is TaskInstanceState.Scheduled or TaskInstanceState.Claimed && !instance.HasBegun;
    }

    /// <summary>A definition's next fire time moved back to <paramref name="earliestTakenBack"/>, the earliest occurrence taken back
    /// (<see cref="TakeBack.Rewind"/>), so it is planned again.</summary>
    public static DateTimeOffset? Rewound(DateTimeOffset? nextFireTime, DateTimeOffset earliestTakenBack) =>
        nextFireTime is { } next && next < earliestTakenBack ? next : earliestTakenBack;

    /// <summary>Throws unless <paramref name="status"/> is one a claim can end in: Cancelled or Skipped.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="status"/> is another status.</exception>
    public static void RequireEndStatus(TaskInstanceState status)
    {
        if (status is not (TaskInstanceState.Cancelled or TaskInstanceState.Skipped))
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "A claim ends Cancelled or Skipped.");
        }
    }

    /// <summary>→ Cancelled at <paramref name="now"/>.</summary>
    public static void Cancel(TaskInstance instance, DateTimeOffset now) => End(instance, TaskInstanceState.Cancelled, now, reason: null);

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

    /// <summary>What a failure of <paramref name="attempt"/> leads to: the next attempt, due after the retry policy's backoff from
    /// <paramref name="now"/> (with its jitter), while the policy allows another; <see langword="null"/> when it was the last, and the instance is
    /// dead-lettered. The saga decides a worker's failure by it, the runner a dispatch the broker refused.</summary>
    public static DateTimeOffset? RetryAt(TaskInstance instance, int attempt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return attempt < instance.MaxAttempts ? now + Backoff.Delay(instance.Retry, attempt, Random.Shared.NextDouble) : null;
    }

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

    /// <summary>The states in which an outcome of <paramref name="kind"/> is accepted (<see cref="Accepts"/>; the store's SQL fence reads the
    /// same list): a completion in any state but Completed, Cancelled and Skipped (a late success still counts, over a dead letter too); every
    /// other outcome only while its attempt, the current one, is Claimed or Dispatched.</summary>
    public static IReadOnlyList<TaskInstanceState> AcceptingStates(OutcomeKind kind) => kind == OutcomeKind.Completed ? CompletionStates : AttemptStates;

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

    private static void ClearClaim(TaskInstance instance)
    {
        instance.LeaseOwner = null;
        instance.LeaseExpiresAt = null;
        instance.Version++;
    }
}
