using Microsoft.EntityFrameworkCore;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;

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
                    .FromSqlRaw(TaskInstanceLifecycle.DeadLetterExpiredSql(expire.Time(request.Now), expire.Text(TaskInstanceLifecycle.ExpiredReason),
                        expire.Text(TaskInstanceLifecycle.NotStartedReason), expire.Int(request.MaxCount), _dialect.Lock, !_dialect.IsSqlite), expire.ToArray())
                    .AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
                await WriteAttemptsOnSqliteAsync(context, expired, (args, i) => $"{args.Id(i.Id)}, {args.Int(i.Attempt)}, {args.Text(i.LastError)}",
                    "(id, attempt, last_error)", args => TaskInstanceLifecycle.ExpiredAttemptSql(args.Time(request.Now)), ct).ConfigureAwait(false);
            }

            var args = _dialect.Arguments();
            var sql = TaskInstanceLifecycle.ClaimSql(args.Text(request.Owner), args.Time(request.Now), args.Time(request.Horizon),
                args.Duration(request.LeaseDuration), args.Int(request.MaxCount), request.ExpiredAttempts, _dialect.Lock, _dialect.Greatest, !_dialect.IsSqlite);
            var taken = await context.Set<TaskInstance>().FromSqlRaw(sql, args.ToArray()).AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
            await WriteAttemptsOnSqliteAsync(context, taken, (args, i) => $"{args.Id(i.Id)}, {args.Int(i.Attempt)}", "(id, attempt)",
                args => TaskInstanceLifecycle.ClaimedAttemptSql(args.Text(request.Owner), args.Time(request.Now)), ct).ConfigureAwait(false);
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
            "(id, attempt, at)", args => TaskInstanceLifecycle.RecordDispatchSql(args.Duration(request.QueueTimeout), args.Duration(TimeSpan.Zero)),
            cancellationToken, _ => TaskInstanceLifecycle.DispatchedAttemptRow).ConfigureAwait(false)).Count;
    }

    /// <inheritdoc />
    public async Task<int> ReleaseClaimsAsync(ReleaseRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return (await UpdateClaimsAsync(request.Owner, request.Claims.Distinct().ToList(), ClaimRow, "(id, attempt)",
            args => TaskInstanceLifecycle.ReleaseSql(args.Time(request.DueAt)),
            cancellationToken, _ => TaskInstanceLifecycle.ReleasedAttemptRow).ConfigureAwait(false)).Count;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Guid>> FailDispatchesAsync(DispatchFailureRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await UpdateClaimsAsync(request.Owner, request.Failures,
            (args, f) => $"{args.Id(f.InstanceId)}, {args.Int(f.Attempt)}, {args.Time(f.At)}, {args.Text(f.Error)}, {args.Time(f.RetryAt)}",
            "(id, attempt, at, error, retry_at)",
            _ => TaskInstanceLifecycle.FailDispatchSql,
            cancellationToken, _ => TaskInstanceLifecycle.DispatchFailedAttemptRow).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<int> EndClaimsAsync(EndClaimsRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        TaskInstanceLifecycle.RequireEndStatus(request.Status);
        return (await UpdateClaimsAsync(request.Owner, request.Claims.Distinct().ToList(), ClaimRow, "(id, attempt)",
            args => TaskInstanceLifecycle.EndSql(args.Int((int)request.Status), args.Time(request.At), args.Text(request.Reason)), cancellationToken,
            args => TaskInstanceLifecycle.EndedAttemptRow(request.Status, args.Time(request.At), args.Text(request.Reason))).ConfigureAwait(false)).Count;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Guid>> RenewLeasesAsync(LeaseRenewalRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await UpdateClaimsAsync(request.Owner, request.Claims.Distinct().ToList(), ClaimRow, "(id, attempt)",
            args => TaskInstanceLifecycle.RenewLeaseSql(args.Time(request.LeaseExpiresAt)), cancellationToken).ConfigureAwait(false);
    }

    private static string ClaimRow(SqlArguments args, ClaimToken claim) => $"{args.Id(claim.InstanceId)}, {args.Int(claim.Attempt)}";

    /// <inheritdoc />
    public Task<int> ExtendRunningAttemptsAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        InTransactionAsync(async (context, ct) =>
        {
            var args = _dialect.Arguments();
            var sql = TaskInstanceLifecycle.GraceAfterOutageSql(args.Time(now));
            return await context.Database.ExecuteSqlRawAsync(sql, args.ToArray(), ct).ConfigureAwait(false);
        }, cancellationToken);

    /// <summary>
    /// One of the runner's fenced transitions over a batch: the <c>SET</c> clause of <paramref name="set"/> applied to each row the owner still
    /// holds with the given attempt (<see cref="TaskInstanceLifecycle.HoldsClaim"/>), one statement per chunk, one transaction; with
    /// <paramref name="attemptRow"/>, each updated row's attempt row is written in the same command
    /// (<see cref="TaskInstanceLifecycle.HeldClaimsWithAttemptsSql"/>).
    /// </summary>
    /// <returns>The ids of the rows updated.</returns>
    private async Task<List<Guid>> UpdateClaimsAsync<T>(string owner, IReadOnlyList<T> items, Func<SqlArguments, T, string> row, string columns,
        Func<SqlArguments, string> set, CancellationToken cancellationToken, Func<SqlArguments, string>? attemptRow = null)
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
                var sql = attemptRow is null
                    ? TaskInstanceLifecycle.HeldClaimsSql(columns, rows, fence, assignments, _dialect.ReturningId)
                    : TaskInstanceLifecycle.HeldClaimsWithAttemptsSql(!_dialect.IsSqlite, columns, rows, fence, assignments, attemptRow(args), _dialect.ReturningId);
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

}
