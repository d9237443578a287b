using Microsoft.EntityFrameworkCore;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;
using static Scheduler.EntityFrameworkCore.SchedulerModelBuilderExtensions;
using static Scheduler.Core.Storage.SqlValues;
using State = Scheduler.Contracts.TaskInstanceState;

namespace Scheduler.EntityFrameworkCore;

/// <summary>What operators read (<see cref="IAdminStore"/>).</summary>
public sealed partial class EfTaskStore<TContext>
{
    /// <inheritdoc />
    public async Task<TaskInstance?> GetInstanceAsync(Guid id, CancellationToken cancellationToken = default)
    {
        return await WithContextAsync(async context =>
        {
            return await context.Set<TaskInstance>().AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<TaskInstance>> ListInstancesAsync(InstanceQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return await WithContextAsync(async context =>
        {
            var instances = context.Set<TaskInstance>().AsNoTracking();
            if (query.DefinitionId is { } definitionId)
            {
                instances = instances.Where(i => i.DefinitionId == definitionId);
            }

            if (query.Status is { } status)
            {
                instances = instances.Where(i => i.Status == status);
            }

            instances = WithinTimes(instances, query);
            if (query.DestinationQueue is not null || query.MetadataKey is not null)
            {
                var definitions = DefinitionsMatching(context, query.MetadataKey, query.MetadataValue);
                if (query.DestinationQueue is { } queue)
                {
                    definitions = definitions.Where(d => d.DestinationQueue == queue);
                }

                instances = instances.Where(i => definitions.Any(d => d.Id == i.DefinitionId));
            }

            if (query.After is { } after)
            {
                // Keyset: the rows after the cursor in (fire_time DESC, id DESC); uuid order is the order of the ids' text, as SQLite keeps them.
                instances = instances.Where(i => i.FireTime < after.FireTime || (i.FireTime == after.FireTime && i.Id.CompareTo(after.Id) < 0));
            }

            return await instances.OrderByDescending(i => i.FireTime).ThenByDescending(i => i.Id).Take(query.Take)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    // The time filters of `query`, each a range on one column (fire_time, finished_at), so they compose with the keyset order.
    private static IQueryable<TaskInstance> WithinTimes(IQueryable<TaskInstance> instances, InstanceQuery query)
    {
        if (query.FiredSince is { } firedSince)
        {
            instances = instances.Where(i => i.FireTime >= firedSince);
        }

        if (query.FiredUntil is { } firedUntil)
        {
            instances = instances.Where(i => i.FireTime < firedUntil);
        }

        if (query.FinishedSince is { } finishedSince)
        {
            instances = instances.Where(i => i.FinishedAt >= finishedSince);
        }

        if (query.FinishedUntil is { } finishedUntil)
        {
            instances = instances.Where(i => i.FinishedAt < finishedUntil);
        }

        return instances;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<TaskInstance>> GetInstancesAsync(Guid definitionId, CancellationToken cancellationToken = default)
    {
        return await WithContextAsync(async context =>
        {
            return await context.Set<TaskInstance>().AsNoTracking()
                .Where(i => i.DefinitionId == definitionId)
                .OrderBy(i => i.FireTime)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>One grouped MIN per chunk of ids, a seek on the (definition_id, fire_time) index per definition.</remarks>
    public async Task<IReadOnlyDictionary<Guid, DateTimeOffset>> GetNextPendingFireTimesAsync(IReadOnlyCollection<Guid> definitionIds,
        DateTimeOffset after, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definitionIds);
        var wanted = definitionIds.Distinct().ToList();
        return await WithContextAsync(async context =>
        {
            var next = new Dictionary<Guid, DateTimeOffset>();
            foreach (var chunk in wanted.Chunk(RowsPerStatement))
            {
                var rows = await context.Set<TaskInstance>().AsNoTracking()
                    .Where(i => EF.Parameter(chunk).Contains(i.DefinitionId) && i.FireTime > after)
                    .Where(TaskInstanceLifecycle.NotBegun)
                    .GroupBy(i => i.DefinitionId)
                    .Select(g => new { g.Key, Next = g.Min(i => i.FireTime) })
                    .ToListAsync(cancellationToken).ConfigureAwait(false);
                foreach (var row in rows)
                {
                    next[row.Key] = row.Next;
                }
            }

            return (IReadOnlyDictionary<Guid, DateTimeOffset>)next;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<Guid, TaskInstance>> GetLastOutcomesAsync(IReadOnlyCollection<Guid> definitionIds,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definitionIds);
        var wanted = definitionIds.Distinct().ToList();
        return await WithContextAsync(async context =>
        {
            var last = new Dictionary<Guid, TaskInstance>();
            foreach (var chunk in wanted.Chunk(RowsPerStatement))
            {
                // Two reads: each definition's latest finish, then the instances that finished then (ties are resolved by id here).
                var latest = await context.Set<TaskInstance>().AsNoTracking()
                    .Where(i => EF.Parameter(chunk).Contains(i.DefinitionId))
                    .Where(TaskInstanceLifecycle.Outcome)
                    .GroupBy(i => i.DefinitionId)
                    .Select(g => new { g.Key, Latest = g.Max(i => i.FinishedAt) })
                    .ToListAsync(cancellationToken).ConfigureAwait(false);
                var finishes = latest.Select(l => l.Latest).Distinct().ToList();
                var rows = await context.Set<TaskInstance>().AsNoTracking()
                    .Where(i => EF.Parameter(chunk).Contains(i.DefinitionId) && EF.Parameter(finishes).Contains(i.FinishedAt))
                    .Where(TaskInstanceLifecycle.Outcome)
                    .ToListAsync(cancellationToken).ConfigureAwait(false);
                var byDefinition = latest.ToDictionary(l => l.Key, l => l.Latest);
                foreach (var row in rows.Where(r => byDefinition[r.DefinitionId] == r.FinishedAt).OrderBy(r => r.Id))
                {
                    last[row.DefinitionId] = row;
                }
            }

            return (IReadOnlyDictionary<Guid, TaskInstance>)last;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>One grouped query (<see cref="DestinationLoad.Query"/>): the instances joined to their definitions, GROUP BY the destination
    /// queue, with conditional counts and a MAX; it scans the instances table, bounded by retention, and runs only when someone looks.</remarks>
    public async Task<IReadOnlyList<DestinationLoad>> GetDestinationLoadsAsync(DateTimeOffset now, DateTimeOffset failedSince,
        CancellationToken cancellationToken = default)
    {
        return await WithContextAsync(async context =>
        {
            return (IReadOnlyList<DestinationLoad>)await DestinationLoad.Query(context.Set<TaskInstance>().AsNoTracking(),
                context.Set<TaskDefinition>().AsNoTracking(), now, failedSince).ToListAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<DateTimeOffset>> GetPendingFireTimesAsync(Guid definitionId, DateTimeOffset after, int count,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return await WithContextAsync(async context =>
        {
            return await context.Set<TaskInstance>().AsNoTracking()
                .Where(i => i.DefinitionId == definitionId && i.FireTime > after)
                .Where(TaskInstanceLifecycle.NotBegun)
                .OrderBy(i => i.FireTime).Take(count).Select(i => i.FireTime)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<TaskInstance>> ListDeadLettersAsync(DeadLetterQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return await WithContextAsync(async context =>
        {
            return await context.Set<TaskInstance>().AsNoTracking().Where(i => i.Status == TaskInstanceState.Failed)
                .OrderByDescending(i => i.FailedAt).ThenBy(i => i.Id).Skip(query.Skip).Take(query.Take)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>One transaction: the dead letters among the ids are read, <see cref="TaskInstanceLifecycle.Requeue"/> decides each row in C#,
    /// and one statement per chunk writes what it decided, fenced by the row's version and state (a row changed since the read is left alone).</remarks>
    public Task<IReadOnlyList<Guid>> RequeueDeadLettersAsync(IReadOnlyCollection<Guid> instanceIds, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instanceIds);
        var wanted = instanceIds.Distinct().ToList();
        return InTransactionAsync<IReadOnlyList<Guid>>(async (context, ct) =>
        {
            var requeued = new List<Guid>();
            foreach (var chunk in wanted.Chunk(RowsPerStatement))
            {
                var rows = await context.Set<TaskInstance>().AsNoTracking()
                    .Where(i => EF.Parameter(chunk).Contains(i.Id) && i.Status == TaskInstanceState.Failed).ToListAsync(ct).ConfigureAwait(false);
                requeued.AddRange(await RequeueAsync(context, rows, now, ct).ConfigureAwait(false));
            }

            return requeued;
        }, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>One transaction of two statements: the oldest Limit + 1 dead letters matching the filter are read by <c>finished_at</c> (a dead
    /// letter's <c>failed_at</c>; its index orders them, and <c>ux_task_instances_definition_fire_time</c> narrows them to one task), then the
    /// first Limit are requeued as by id (<see cref="TaskInstanceLifecycle.Requeue"/>, one fenced statement). Requeued rows leave the filter, so
    /// the next call starts where this one ended without a cursor.</remarks>
    public Task<DeadLetterRequeueResult> RequeueMatchingDeadLettersAsync(DeadLetterRequeueRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var filter = request.Filter;
        ArgumentOutOfRangeException.ThrowIfLessThan(filter.Limit, 1);
        return InTransactionAsync(async (context, ct) =>
        {
            var matching = context.Set<TaskInstance>().AsNoTracking().Where(i => i.Status == TaskInstanceState.Failed && i.FinishedAt != null);
            if (filter.TaskId is { } taskId)
            {
                matching = matching.Where(i => i.DefinitionId == taskId);
            }

            if (filter.Since is { } since)
            {
                matching = matching.Where(i => i.FinishedAt >= since);
            }

            if (filter.Until is { } until)
            {
                matching = matching.Where(i => i.FinishedAt < until);
            }

            if (filter.DestinationQueue is { } queue)
            {
                matching = matching.Where(i => context.Set<TaskDefinition>().Any(d => d.Id == i.DefinitionId && d.DestinationQueue == queue));
            }

            var rows = await matching.OrderBy(i => i.FinishedAt).ThenBy(i => i.Id).Take(filter.Limit + 1).ToListAsync(ct).ConfigureAwait(false);
            var requeued = await RequeueAsync(context, rows.Take(filter.Limit).ToList(), request.Now, ct).ConfigureAwait(false);
            return new DeadLetterRequeueResult(requeued, rows.Count > filter.Limit);
        }, cancellationToken);
    }

    /// <summary>Requeues the dead letters among <paramref name="rows"/> (at most <see cref="RowsPerStatement"/>, as read in this transaction):
    /// <see cref="TaskInstanceLifecycle.Requeue"/> decides each, one statement writes them, fenced by version and state.</summary>
    /// <returns>The ids updated, in the order of <paramref name="rows"/>.</returns>
    private async Task<List<Guid>> RequeueAsync(TContext context, IReadOnlyList<TaskInstance> rows, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var dead = rows.Where(TaskInstanceLifecycle.IsDeadLetter).ToList();
        if (dead.Count == 0)
        {
            return [];
        }

        var args = _dialect.Arguments();
        var values = Rows(dead, i =>
        {
            var version = i.Version;
            TaskInstanceLifecycle.Requeue(i, now);
            return string.Join(", ", args.Id(i.Id), args.Int(version), args.Int((int)i.Status), args.Time(i.DueAt), args.Int(i.MaxAttempts),
                args.Time(i.FailedAt), args.Time(i.FinishedAt));
        });
        var updated = (await ReadIdsAsync(context, TaskInstanceLifecycle.RequeueSql(values, _dialect.ReturningId), args, cancellationToken)
            .ConfigureAwait(false)).ToHashSet();
        return [.. dead.Select(i => i.Id).Where(updated.Contains)]; // in the order read: RETURNING keeps none
    }

    /// <inheritdoc />
    /// <remarks>One transaction: the definition row is read and locked (<c>FOR UPDATE</c> on PostgreSQL and CockroachDB), which waits for a
    /// materializer holding it, so the instances it planned are seen next; then its instances not in flight
    /// (<see cref="TaskInstanceLifecycle.IsInFlight"/>) are deleted with one statement, a row claimed meanwhile waited for and left; any row
    /// of the task still there refuses the delete (the exception rolls it back), else the definition row is deleted.</remarks>
    public Task<int?> DeleteDefinitionAsync(Guid id, CancellationToken cancellationToken = default) =>
        InTransactionAsync<int?>(async (context, ct) =>
        {
            var select = _dialect.Arguments();
            if ((await context.Set<TaskDefinition>().FromSqlRaw(DefinitionForUpdateSql(select.Id(id)), select.ToArray()).AsNoTracking()
                    .ToListAsync(ct).ConfigureAwait(false)).Count == 0)
            {
                return null;
            }

            var args = _dialect.Arguments();
            var deleted = await context.Database.ExecuteSqlRawAsync(TaskInstanceLifecycle.DeleteTaskInstancesSql(args.Id(id)), args.Parameters, ct)
                .ConfigureAwait(false);
            var inFlight = await context.Set<TaskInstance>().AsNoTracking().Where(i => i.DefinitionId == id).Select(i => i.Status)
                .ToListAsync(ct).ConfigureAwait(false);
            if (inFlight.Count > 0)
            {
                throw TaskInstanceLifecycle.DeleteTaskRefused(id, inFlight);
            }

            await context.Set<TaskDefinition>().Where(d => d.Id == id).ExecuteDeleteAsync(ct).ConfigureAwait(false);
            return deleted;
        }, cancellationToken);

    /// <inheritdoc />
    /// <remarks>One transaction: the row is read, <see cref="TaskInstanceLifecycle.RequireDeletable"/> decides, and the delete is fenced by the
    /// version read.</remarks>
    public Task<TaskInstance?> DeleteInstanceAsync(Guid id, CancellationToken cancellationToken = default) =>
        InTransactionAsync(async (context, ct) =>
        {
            var row = await context.Set<TaskInstance>().AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, ct).ConfigureAwait(false);
            if (row is null)
            {
                return null;
            }

            TaskInstanceLifecycle.RequireDeletable(row);
            var version = row.Version;
            RequireFenced(row, await context.Set<TaskInstance>().Where(i => i.Id == id && i.Version == version).ExecuteDeleteAsync(ct).ConfigureAwait(false));
            return row;
        }, cancellationToken);

    /// <inheritdoc />
    /// <remarks>One transaction: the row is read, <see cref="TaskInstanceLifecycle.RequireWaitingForRetry"/> and
    /// <see cref="TaskInstanceLifecycle.RetryNow"/> decide, and the update is fenced by the version read.</remarks>
    public Task<(TaskInstance? Instance, bool Changed)> RetryInstanceNowAsync(Guid id, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        InTransactionAsync<(TaskInstance?, bool)>(async (context, ct) =>
        {
            var row = await context.Set<TaskInstance>().AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, ct).ConfigureAwait(false);
            if (row is null)
            {
                return (null, false);
            }

            TaskInstanceLifecycle.RequireWaitingForRetry(row);
            var version = row.Version;
            if (!TaskInstanceLifecycle.RetryNow(row, now))
            {
                return (row, false);
            }

            RequireFenced(row, await context.Set<TaskInstance>().Where(i => i.Id == id && i.Version == version)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.DueAt, row.DueAt).SetProperty(i => i.Version, row.Version), ct).ConfigureAwait(false));
            return (row, true);
        }, cancellationToken);

    /// <summary>Throws when a statement fenced by <paramref name="row"/>'s version changed no row: it changed since the read.</summary>
    private static void RequireFenced(TaskInstance row, int changed)
    {
        if (changed == 0)
        {
            throw new TaskValidationException($"Task instance {row.Id} changed while this command ran (it was {row.Status}); nothing changed. Read it again and retry.");
        }
    }

    /// <inheritdoc />
    /// <remarks>Three reads in one context, no transaction (a view for operators, not a decision): the backlog due now and the nodes from the
    /// due and lease indexes; the activity in one aggregate query (<see cref="ActivitySql"/>), which scans the instances table —
    /// bounded by retention (default 1 day), and read only when someone looks.</remarks>
    public async Task<ClusterView> GetClusterViewAsync(ClusterViewRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ClusterActivity.BucketCount(request);
        var now = request.Now;
        return await WithContextAsync(async context =>
        {
            var instances = context.Set<TaskInstance>().AsNoTracking();
            var due = instances.Where(i => (i.Status == TaskInstanceState.Scheduled || i.Status == TaskInstanceState.Claimed) && i.DueAt <= now);
            var backlog = await due.CountAsync(cancellationToken).ConfigureAwait(false);
            var oldest = backlog == 0 ? null
                : await due.OrderBy(i => i.DueAt).Select(i => i.DueAt).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            var claims = await instances.Where(i => i.Status == TaskInstanceState.Claimed && i.LeaseOwner != null)
                .GroupBy(i => i.LeaseOwner!)
                .Select(g => new { NodeId = g.Key, Held = g.Count(), LeaseExpiresAt = g.Max(i => i.LeaseExpiresAt) })
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            var runs = await ReadNodeRunsAsync(context, cancellationToken).ConfigureAwait(false);

            var args = _dialect.Arguments();
            var sql = ActivitySql(args.Time(request.ActivitySince), args.Time(now),
                args.Int(_dialect.IsSqlite ? request.BucketSize.Ticks : (long)request.BucketSize.TotalSeconds));
            var rows = await context.Database.SqlQueryRaw<ActivitySqlRow>(sql, args.ToArray()).ToListAsync(cancellationToken).ConfigureAwait(false);
            var activity = ClusterActivity.Fold(rows.Select(r => new ActivityRow((ActivityRowKind)r.Kind, r.Bucket, r.Count, r.TotalMs, r.MaxMs)), request);
            return new ClusterView(now, backlog, oldest, ClusterNodes.Merge(runs, claims.Select(c => (c.NodeId, c.Held, c.LeaseExpiresAt)), request), activity);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The activity of a cluster view as <see cref="Core.Storage.ActivityRow"/>s (columns Kind, Bucket, Count, TotalMs, MaxMs): one scan of the
    /// instances table, aggregated per kind and bucket, with the semantics of <see cref="Core.Storage.ClusterActivity.Rows"/>. <c>since</c> and
    /// <c>now</c> are instants, <c>bucket</c> the bucket width (SQLite: in ticks; PostgreSQL and CockroachDB: in seconds). Every branch casts
    /// its columns, since CockroachDB's UNION does not widen types.
    /// </summary>
    private string ActivitySql(string since, string now, string bucket)
    {
        string Bucket(string column) => _dialect.IsSqlite
            ? $"CAST(({column} - {since}) / {bucket} AS bigint)"
            : $"CAST(floor(extract(epoch FROM ({column} - {since})) / {bucket}) AS bigint)";
        // An occurrence comes due at its fire time plus its jitter; lateness is measured from then.
        const string due = "(fire_time + jitter)";
        var lateness = _dialect.IsSqlite ? $"CAST((dispatched_at - {due}) / 10000.0 AS double precision)"
            : $"CAST(extract(epoch FROM (dispatched_at - {due})) * 1000 AS double precision)";
        const string left = "COALESCE(dispatched_at, finished_at)";
        var leftAt = $"{(_dialect.IsSqlite ? "MAX" : "GREATEST")}({left}, {due})";
        string Row(ActivityRowKind kind, string bucketExpression, string ms, string where) =>
            $"SELECT CAST({Of(kind)} AS bigint) AS kind, {bucketExpression} AS bucket, {ms} AS ms FROM {InstancesTable} WHERE {where}";
        const string zero = "CAST(0 AS double precision)";
        string InRange(string column) => $"{column} >= {since} AND {column} < {now}";
        return $"""
            SELECT kind AS "Kind", bucket AS "Bucket", COUNT(*) AS "Count", CAST(COALESCE(SUM(ms), 0) AS double precision) AS "TotalMs",
                CAST(COALESCE(MAX(ms), 0) AS double precision) AS "MaxMs"
            FROM (
                {Row(ActivityRowKind.Completed, Bucket("completed_at"), zero, InRange("completed_at"))}
                UNION ALL {Row(ActivityRowKind.Failed, Bucket("failed_at"), zero, $"status = {Of(State.Failed)} AND " + InRange("failed_at"))}
                UNION ALL {Row(ActivityRowKind.Dispatched, Bucket("dispatched_at"), lateness, "attempt = 1 AND " + InRange("dispatched_at"))}
                UNION ALL {Row(ActivityRowKind.Arrived, Bucket(due), zero, "attempt <= 1 AND " + InRange(due))}
                UNION ALL {Row(ActivityRowKind.Left, Bucket(leftAt), zero, $"attempt <= 1 AND {left} IS NOT NULL AND " + InRange(leftAt))}
                UNION ALL {Row(ActivityRowKind.WaitingAtStart, "CAST(-1 AS bigint)", zero, $"attempt <= 1 AND {due} < {since} AND ({left} IS NULL OR {left} >= {since})")}
            ) AS a
            GROUP BY kind, bucket
            """;
    }
}
