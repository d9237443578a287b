using Microsoft.EntityFrameworkCore;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;
using static Scheduler.EntityFrameworkCore.SchedulerModelBuilderExtensions;
using static Scheduler.EntityFrameworkCore.SqlValues;
using State = Scheduler.Contracts.TaskInstanceState;

namespace Scheduler.EntityFrameworkCore;

/// <summary>The runner loop's transitions (<see cref="IRunnerStore"/>): claim, dispatch recorded, release, dispatch failed, claim ended, lease renewed, grace after an outage; each fenced by <see cref="TaskInstanceLifecycle.HoldsClaim"/>.</summary>
public sealed partial class EfTaskStore<TContext>
{
    /// <inheritdoc />
    public async Task<ClaimResult> ClaimDueInstancesAsync(ClaimRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.MaxCount <= 0)
        {
            return ClaimResult.Empty;
        }

        var (deadLettered, claimed) = await InTransactionAsync(async (context, ct) =>
        {
            List<TaskInstance> expired = [];
            if (request.ExpiredAttempts)
            {
                var expire = _dialect.Arguments();
                expired = await context.Set<TaskInstance>()
                    .FromSqlRaw(DeadLetterExpiredSql(expire.Time(request.Now), expire.Text(TaskInstanceLifecycle.ExpiredReason),
                        expire.Text(TaskInstanceLifecycle.NotStartedReason), expire.Int(request.MaxCount)), expire.ToArray())
                    .AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
            }

            var args = _dialect.Arguments();
            var sql = ClaimSql(args.Text(request.Owner), args.Time(request.Now), args.Time(request.Horizon),
                args.Duration(request.LeaseDuration), args.Int(request.MaxCount), request.ExpiredAttempts);
            var taken = await context.Set<TaskInstance>().FromSqlRaw(sql, args.ToArray()).AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
            return (expired, taken);
        }, cancellationToken).ConfigureAwait(false);
        if (claimed.Count == 0)
        {
            return new ClaimResult([], deadLettered);
        }

        // Read outside the claim's transaction: an update of metadata or payload racing a claim may reach this dispatch or the next.
        var definitionIds = claimed.Select(i => i.DefinitionId).Distinct().ToList();
        return await WithContextAsync(async context =>
        {
            var definitions = await context.Set<TaskDefinition>().AsNoTracking()
                .Where(d => EF.Parameter(definitionIds).Contains(d.Id))
                .Select(d => new { d.Id, d.Metadata, d.Payload, d.DestinationQueue, d.CancelledAt, d.TriggerKind, d.Overlap, d.TraceParent })
                .ToDictionaryAsync(d => d.Id, cancellationToken).ConfigureAwait(false);
            return new ClaimResult(claimed.OrderBy(i => i.DueAt).ThenBy(i => i.Id)
                .Select(i =>
                {
                    var definition = definitions[i.DefinitionId];
                    return new ClaimedInstance(i, definition.Metadata, definition.Payload, definition.DestinationQueue, definition.CancelledAt is not null,
                        definition.TriggerKind == TriggerKind.Once ? OverlapPolicy.AllowAll : definition.Overlap)
                    {
                        TraceParent = definition.TraceParent,
                        Recurring = definition.TriggerKind != TriggerKind.Once,
                    };
                })
                .ToList(), deadLettered);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<int> RecordDispatchesAsync(DispatchRecordRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return (await UpdateClaimsAsync(request.Owner, request.Outcomes, (args, o) => $"{args.Id(o.InstanceId)}, {args.Int(o.Attempt)}, {args.Time(o.At)}",
            "(id, attempt, at)", args => $"status = {Of(State.Dispatched)}, dispatched_at = o.at, " +
                $"due_at = o.at + CASE WHEN t.started_at IS NULL THEN {args.Duration(request.QueueTimeout)} ELSE {args.Duration(TimeSpan.Zero)} END + t.expire_after, " +
                "lease_owner = NULL, lease_expires_at = NULL",
            cancellationToken).ConfigureAwait(false)).Count;
    }

    /// <inheritdoc />
    public async Task<int> ReleaseClaimsAsync(ReleaseRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return (await UpdateClaimsAsync(request.Owner, request.Claims.Distinct().ToList(), ClaimRow, "(id, attempt)",
            args => $"status = {Of(State.Scheduled)}, attempt = t.attempt - 1, due_at = COALESCE({args.Time(request.DueAt)}, t.due_at), lease_owner = NULL, lease_expires_at = NULL",
            cancellationToken).ConfigureAwait(false)).Count;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Guid>> FailDispatchesAsync(DispatchFailureRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await UpdateClaimsAsync(request.Owner, request.Failures,
            (args, f) => $"{args.Id(f.InstanceId)}, {args.Int(f.Attempt)}, {args.Time(f.At)}, {args.Text(f.Error)}, {args.Time(f.RetryAt)}",
            "(id, attempt, at, error, retry_at)",
            _ => $"status = CASE WHEN o.retry_at IS NULL THEN {Of(State.Failed)} ELSE {Of(State.Scheduled)} END, due_at = o.retry_at, last_error = o.error, " +
                 "failed_at = CASE WHEN o.retry_at IS NULL THEN o.at ELSE t.failed_at END, " +
                 "finished_at = CASE WHEN o.retry_at IS NULL THEN o.at ELSE t.finished_at END, lease_owner = NULL, lease_expires_at = NULL",
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<int> EndClaimsAsync(EndClaimsRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        TaskInstanceLifecycle.RequireEndStatus(request.Status);
        return (await UpdateClaimsAsync(request.Owner, request.Claims.Distinct().ToList(), ClaimRow, "(id, attempt)",
            args => $"status = {args.Int((int)request.Status)}, due_at = NULL, finished_at = {args.Time(request.At)}, " +
                    $"last_error = COALESCE({args.Text(request.Reason)}, t.last_error), lease_owner = NULL, lease_expires_at = NULL", cancellationToken)
            .ConfigureAwait(false)).Count;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Guid>> RenewLeasesAsync(LeaseRenewalRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await UpdateClaimsAsync(request.Owner, request.Claims.Distinct().ToList(), ClaimRow, "(id, attempt)",
            args => $"lease_expires_at = {args.Time(request.LeaseExpiresAt)}", cancellationToken).ConfigureAwait(false);
    }

    private static string ClaimRow(SqlArguments args, ClaimToken claim) => $"{args.Id(claim.InstanceId)}, {args.Int(claim.Attempt)}";

    /// <inheritdoc />
    public Task<int> ExtendRunningAttemptsAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        InTransactionAsync(async (context, ct) =>
        {
            // TaskInstanceLifecycle.GraceAfterOutage.
            var args = _dialect.Arguments();
            var at = args.Time(now);
            var sql = $"UPDATE {InstancesTable} SET due_at = {at} + expire_after, version = version + 1 WHERE status = {Of(State.Dispatched)} AND due_at < {at} + expire_after";
            return await context.Database.ExecuteSqlRawAsync(sql, args.ToArray(), ct).ConfigureAwait(false);
        }, cancellationToken);

    /// <summary>
    /// One of the runner's fenced transitions over a batch: the <c>SET</c> clause of <paramref name="set"/> applied to each row the owner still
    /// holds with the given attempt (<see cref="TaskInstanceLifecycle.HoldsClaim"/>), one statement per chunk, one transaction.
    /// </summary>
    /// <returns>The ids of the rows updated.</returns>
    private async Task<List<Guid>> UpdateClaimsAsync<T>(string owner, IReadOnlyList<T> items, Func<SqlArguments, T, string> row, string columns,
        Func<SqlArguments, string> set, CancellationToken cancellationToken)
    {
        if (items.Count == 0)
        {
            return [];
        }

        return await InTransactionAsync(async (context, ct) =>
        {
            var updated = new List<Guid>(items.Count);
            foreach (var chunk in items.Chunk(RowsPerStatement))
            {
                var args = _dialect.Arguments();
                var fence = args.Text(owner);
                var assignments = set(args);
                var rows = Rows(chunk, item => row(args, item));
                var sql = $"""
                    WITH o {columns} AS (VALUES {rows})
                    UPDATE {InstancesTable} AS t SET {assignments}, version = t.version + 1
                    FROM o WHERE t.id = o.id AND t.attempt = o.attempt AND t.lease_owner = {fence} AND t.status = {Of(State.Claimed)}
                    RETURNING {_dialect.ReturningId} AS "Value"
                    """;
                updated.AddRange(await ReadIdsAsync(context, sql, args, ct).ConfigureAwait(false));
            }

            return updated;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Guid>> GetDefinitionsChangedSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        return await WithContextAsync(async context =>
        {
            return await context.Set<TaskDefinition>().AsNoTracking().Where(d => d.ChangedAt != null && d.ChangedAt >= since)
                .Select(d => d.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<OpenOccurrence>> GetOpenOccurrencesAsync(IReadOnlyCollection<Guid> definitionIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definitionIds);
        if (definitionIds.Count == 0)
        {
            return [];
        }

        var ids = definitionIds.Distinct().ToList();
        return await WithContextAsync(async context =>
        {
            var rows = await context.Set<TaskInstance>().AsNoTracking()
                .Where(i => EF.Parameter(ids).Contains(i.DefinitionId)
                    && (i.Status == TaskInstanceState.Scheduled || i.Status == TaskInstanceState.Dispatched || i.Status == TaskInstanceState.Claimed))
                .Select(i => new { i.DefinitionId, i.Id, i.FireTime, Begun = i.DispatchedAt != null || i.LastError != null })
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            return rows.Select(r => new OpenOccurrence(r.DefinitionId, r.Id, r.FireTime, r.Begun)).ToList();
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<TaskInstance>> GetInstancesByIdAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0)
        {
            return [];
        }

        var wanted = ids.Distinct().ToList();
        return await WithContextAsync(async context =>
        {
            return await context.Set<TaskInstance>().AsNoTracking().Where(i => EF.Parameter(wanted).Contains(i.Id)).ToListAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Dispatched → Failed for up to <c>limit</c> instances whose last allowed attempt expired at <c>now</c>
    /// (<see cref="Core.Storage.TaskInstanceLifecycle.IsExpiredLastAttempt"/>), with the reason of
    /// <see cref="Core.Storage.TaskInstanceLifecycle.ExpiryReason"/>; returns their rows.
    /// </summary>
    private string DeadLetterExpiredSql(string now, string expiredReason, string notStartedReason, string limit)
    {
        var candidates = $"SELECT i.id FROM {InstancesTable} AS i WHERE i.status IN ({DueIndexStates}) AND i.due_at <= {now} AND i.status = {Of(State.Dispatched)} " +
                         $"AND i.attempt >= i.max_attempts ORDER BY i.due_at LIMIT {limit}{_dialect.Lock}";
        return $"UPDATE {InstancesTable} SET status = {Of(State.Failed)}, due_at = NULL, failed_at = {now}, finished_at = {now}, " +
               $"last_error = CASE WHEN started_at IS NULL THEN {notStartedReason} ELSE {expiredReason} END, version = version + 1 WHERE id IN ({candidates}) RETURNING *";
    }

    /// <summary>
    /// One statement that claims up to <c>limit</c> instances and returns their rows (<see cref="Core.Storage.TaskInstanceLifecycle.Claim"/>):
    /// due ones from the due index (Scheduled within the horizon; Dispatched, expired, with attempts left) and lapsed claims from the lease index,
    /// earliest first. PostgreSQL locks the candidates with <c>FOR UPDATE SKIP LOCKED</c> so concurrent claimers take disjoint rows; CockroachDB
    /// locks them with <c>FOR UPDATE</c> (a conflict aborts with 40001 and is retried); SQLite runs it inside a write transaction, which excludes
    /// other writers. Claimed rows leave the due index. A lapsed claim keeps its reserved attempt number (and any start reported of it); the others take the next, not started.
    /// Without <paramref name="expiredAttempts"/> (workers' reports cannot reach the node) expired attempts are left alone.
    /// </summary>
    private string ClaimSql(string owner, string now, string horizon, string lease, string limit, bool expiredAttempts = true)
    {
        // The due index's and the lease index's predicates, repeated so every engine can prove the indexes apply.
        var expired = expiredAttempts ? $"(i.due_at <= {now} AND i.attempt < i.max_attempts)" : "1 = 0";
        var due = $"SELECT i.id, i.due_at AS k FROM {InstancesTable} AS i WHERE i.status IN ({DueIndexStates}) AND i.due_at <= {horizon} AND (i.status = {Of(State.Scheduled)} OR {expired}) ORDER BY i.due_at LIMIT {limit}{_dialect.Lock}";
        var lapsed = $"SELECT i.id, i.lease_expires_at AS k FROM {InstancesTable} AS i WHERE i.status = {LeaseIndexState} AND i.lease_expires_at <= {now} ORDER BY i.lease_expires_at LIMIT {limit}{_dialect.Lock}";
        var dueAt = $"CASE WHEN status = {Of(State.Dispatched)} THEN {now} ELSE due_at END";
        var max = _dialect.IsSqlite ? "MAX" : "GREATEST";
        var claimed = Of(State.Claimed);
        return $"""
            WITH due AS ({due}), lapsed AS ({lapsed}), pick AS (SELECT id FROM (SELECT id, k FROM due UNION ALL SELECT id, k FROM lapsed) AS c ORDER BY k LIMIT {limit})
            UPDATE {InstancesTable} SET status = {claimed}, attempt = CASE WHEN status = {claimed} THEN attempt ELSE attempt + 1 END,
                started_at = CASE WHEN status = {claimed} THEN started_at ELSE NULL END, due_at = {dueAt}, lease_owner = {owner},
                lease_expires_at = {max}({dueAt}, {now}) + {lease}, version = version + 1
            WHERE id IN (SELECT id FROM pick) RETURNING *
            """;
    }
}
