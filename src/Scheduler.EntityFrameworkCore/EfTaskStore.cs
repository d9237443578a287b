using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;
using Scheduler.EntityFrameworkCore.Migrations;
using static Scheduler.EntityFrameworkCore.SchedulerModelBuilderExtensions;
using static Scheduler.EntityFrameworkCore.SqlValues;
using Kind = Scheduler.Core.Storage.OutcomeKind;
using State = Scheduler.Contracts.TaskInstanceState;

namespace Scheduler.EntityFrameworkCore;

/// <summary>
/// An <see cref="ITaskStore"/> on EF Core over SQLite, PostgreSQL or CockroachDB. Each operation runs in one transaction, inside the context's
/// retrying execution strategy (the whole transaction is run again on SQLSTATE 40001 or SQLITE_BUSY). Claims, dispatch records and
/// releases are one set-based statement per batch; "now" always comes from the request, never from the database clock.
/// </summary>
/// <remarks>At most <see cref="EfTaskStoreOptions.MaxConnections"/> operations (so connections) run at once; the others wait for a slot.</remarks>
/// <typeparam name="TContext">A context whose model contains <see cref="SchedulerModelBuilderExtensions.AddSchedulerEntities"/>.</typeparam>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable",
    Justification = "The SemaphoreSlim allocates nothing to dispose unless its AvailableWaitHandle is read, which the store never does.")]
public sealed partial class EfTaskStore<TContext> : ITaskStore
    where TContext : DbContext
{
    // Rows per multi-row VALUES statement: at most 20 parameters per row stays below SQLite's 32,766 and PostgreSQL's 65,535 parameters.
    private const int RowsPerStatement = 1000;
    // Definitions per multi-row INSERT (26 parameters each). Fewer than RowsPerStatement: PostgreSQL's parse and planning time grows faster
    // than the row count for long VALUES lists; on a 2-core box 100-row statements stored 1,000 definitions faster than one 1,000-row one.
    private const int DefinitionsPerStatement = 100;

    private readonly IDbContextFactory<TContext> _contextFactory;
    private readonly EfTaskStoreOptions _options;
    private readonly SqlDialect _dialect;
    private readonly SemaphoreSlim _connections;
    private readonly ILogger _logger;
    private volatile bool _schemaCurrent; // set once EnsureSchemaAsync succeeded

    /// <summary>Creates the store.</summary>
    /// <param name="contextFactory">Creates one context per operation.</param>
    /// <param name="options">The store's settings; <see cref="EfTaskStoreOptions.Database"/> picks the SQL dialect.</param>
    /// <param name="logger">Logs the schema migrations applied; optional.</param>
    public EfTaskStore(IDbContextFactory<TContext> contextFactory, EfTaskStoreOptions options, ILogger<EfTaskStore<TContext>>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(contextFactory);
        ArgumentNullException.ThrowIfNull(options);
        _contextFactory = contextFactory;
        _options = options;
        _dialect = SqlDialect.For(options.Database);
        _connections = new SemaphoreSlim(options.MaxConnections, options.MaxConnections);
        _logger = logger ?? NullLogger<EfTaskStore<TContext>>.Instance;
    }

    /// <summary>
    /// Brings the schema to this build's version with <see cref="SchemaMigrator"/> (versioned scripts, journaled in
    /// <c>scheduler_schema_versions</c>; safe to run twice and from several nodes at once), or, when <see cref="EfTaskStoreOptions.AutoMigrate"/>
    /// is off, only checks that it is at this build's version.
    /// </summary>
    /// <exception cref="SchemaVersionException">The database was migrated by a newer release, or (automatic migration off) scripts are pending.</exception>
    /// <exception cref="System.Data.Common.DbException">The database rejected a script for another reason than a concurrent migrator, or kept failing.</exception>
    /// <exception cref="InvalidOperationException">The context has no connection string (an application's context built on a connection object).</exception>
    /// <remarks>Once it has succeeded, later calls on this store return at once (a node's start calls it twice: to join its cluster, and as
    /// its schema step).</remarks>
    public async Task EnsureSchemaAsync(CancellationToken cancellationToken = default)
    {
        if (_schemaCurrent)
        {
            return;
        }

        string connectionString;
        var context = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            connectionString = context.Database.GetConnectionString() ?? throw new InvalidOperationException(
                $"The store's context {typeof(TContext).Name} has no connection string, so its schema cannot be migrated. Configure the context with a connection string.");
        }

        var migrator = new SchemaMigrator(_options.Database, connectionString, _logger);
        if (_options.AutoMigrate)
        {
            await migrator.MigrateAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await migrator.VerifyAsync(cancellationToken).ConfigureAwait(false);
        }

        _schemaCurrent = true;
    }

    /// <inheritdoc />
    /// <remarks>One transaction: multi-row <c>INSERT … ON CONFLICT DO NOTHING RETURNING id</c> per <see cref="DefinitionsPerStatement"/> definitions
    /// (any unique key: id or idempotency key), then one query for the stored rows that the definitions not inserted collided with. A
    /// concurrent writer of the same key makes PostgreSQL at SERIALIZABLE (and CockroachDB) fail the insert with 40001; the execution strategy
    /// runs the whole transaction again, which then finds that writer's row.</remarks>
    public async Task<IReadOnlyList<AddDefinitionResult>> AddDefinitionsAsync(IReadOnlyList<TaskDefinition> definitions,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        if (definitions.Count == 0)
        {
            return [];
        }

        var batch = DefinitionBatch.Of(definitions);
        var (inserted, existing) = await InTransactionAsync(async (context, ct) =>
        {
            var inserted = new HashSet<Guid>();
            foreach (var chunk in batch.Candidates.Chunk(DefinitionsPerStatement))
            {
                inserted.UnionWith(await InsertDefinitionsAsync(context, chunk, ct).ConfigureAwait(false));
            }

            var existing = new List<TaskDefinition>();
            foreach (var chunk in batch.Candidates.Where(d => !inserted.Contains(d.Id)).Chunk(RowsPerStatement))
            {
                var ids = chunk.Select(d => d.Id).ToList();
                var keys = chunk.Select(d => d.IdempotencyKey).OfType<string>().ToList();
                existing.AddRange(await context.Set<TaskDefinition>().AsNoTracking()
                    .Where(d => EF.Parameter(ids).Contains(d.Id) || (d.IdempotencyKey != null && EF.Parameter(keys).Contains(d.IdempotencyKey)))
                    .ToListAsync(ct).ConfigureAwait(false));
            }

            return (inserted, existing);
        }, cancellationToken).ConfigureAwait(false);

        var byId = existing.DistinctBy(d => d.Id).ToDictionary(d => d.Id);
        var byKey = existing.Where(d => d.IdempotencyKey is not null).DistinctBy(d => d.IdempotencyKey).ToDictionary(d => d.IdempotencyKey!, StringComparer.Ordinal);
        return batch.Resolve(candidate =>
        {
            if (inserted.Contains(candidate.Id))
            {
                var stored = candidate.Clone();
                stored.Version = 1;
                return new AddDefinitionResult(stored, AlreadyExisted: false);
            }

            var found = byId.GetValueOrDefault(candidate.Id)
                ?? (candidate.IdempotencyKey is { } key ? byKey.GetValueOrDefault(key) : null)
                ?? throw new InvalidOperationException(
                    $"Task definition {candidate.Id} was not inserted, but no stored definition has its id or idempotency key '{candidate.IdempotencyKey}'; it was deleted concurrently. Schedule it again.");
            return new AddDefinitionResult(found.Clone(), AlreadyExisted: true);
        });
    }

    /// <inheritdoc />
    public async Task<TaskDefinition?> GetDefinitionAsync(Guid id, CancellationToken cancellationToken = default)
    {
        using var connection = await EnterAsync(cancellationToken).ConfigureAwait(false);
        var context = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            return await context.Set<TaskDefinition>().AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Guid>> GetDefinitionsChangedSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        using var connection = await EnterAsync(cancellationToken).ConfigureAwait(false);
        var context = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            return await context.Set<TaskDefinition>().AsNoTracking().Where(d => d.ChangedAt != null && d.ChangedAt >= since)
                .Select(d => d.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    /// <remarks>One transaction: the definition row is read and locked (<c>FOR UPDATE</c> on PostgreSQL and CockroachDB), the occurrences taken
    /// back are deleted with one statement, and the row is written back fenced by its version.</remarks>
    public Task<DefinitionChangeResult> ChangeDefinitionAsync(DefinitionChangeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return InTransactionAsync(async (context, ct) =>
        {
            var select = _dialect.Arguments();
            var stored = (await context.Set<TaskDefinition>().FromSqlRaw(_dialect.DefinitionForUpdateSql(select.Id(request.Id)), select.ToArray())
                .AsNoTracking().ToListAsync(ct).ConfigureAwait(false)).SingleOrDefault();
            if (stored is null)
            {
                return new DefinitionChangeResult(null, false);
            }

            if (request.Edit(stored.Clone()) is not { } edit)
            {
                return new DefinitionChangeResult(stored, false);
            }

            return new DefinitionChangeResult(await ApplyEditAsync(context, stored, edit, request.Now, ct).ConfigureAwait(false), true);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<Core.Calendars.TaskCalendar?> GetCalendarAsync(string name, CancellationToken cancellationToken = default)
    {
        using var connection = await EnterAsync(cancellationToken).ConfigureAwait(false);
        var context = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            return await context.Set<Core.Calendars.TaskCalendar>().AsNoTracking().SingleOrDefaultAsync(c => c.Name == name, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Core.Calendars.TaskCalendar>> ListCalendarsAsync(CancellationToken cancellationToken = default)
    {
        using var connection = await EnterAsync(cancellationToken).ConfigureAwait(false);
        var context = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            var all = await context.Set<Core.Calendars.TaskCalendar>().AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
            return [.. all.OrderBy(c => c.Name, StringComparer.Ordinal)];
        }
    }

    /// <inheritdoc />
    /// <remarks>One transaction: the calendar row is read and locked, written (insert, update fenced by its version, or delete), then the
    /// definitions that name it are read and locked and each edit is applied as <see cref="ChangeDefinitionAsync"/> applies one.</remarks>
    public Task<CalendarChangeResult> ChangeCalendarAsync(CalendarChangeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return InTransactionAsync(async (context, ct) =>
        {
            var select = _dialect.Arguments();
            var existing = (await context.Set<Core.Calendars.TaskCalendar>()
                .FromSqlRaw(_dialect.CalendarForUpdateSql(select.Text(request.Name)), select.ToArray()).AsNoTracking().ToListAsync(ct).ConfigureAwait(false))
                .SingleOrDefault();
            if ((request.Spec is null && existing is null) || (request.Spec is { } same && existing is not null && Triggers.Calendars.CalendarSpecs.Equal(same, existing.Spec)))
            {
                return new CalendarChangeResult(existing, false, []);
            }

            var calendar = request.Spec is { } spec
                ? new Core.Calendars.TaskCalendar
                {
                    Name = request.Name, Spec = spec, Version = (existing?.Version ?? 0) + 1, CreatedAt = existing?.CreatedAt ?? request.Now, ChangedAt = request.Now,
                }
                : null;
            var naming = _dialect.Arguments();
            var definitions = await context.Set<TaskDefinition>()
                .FromSqlRaw(_dialect.DefinitionsNamingCalendarSql(naming.Text(request.Name)), naming.ToArray()).AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
            var edits = definitions.Select(d => (Stored: d, Edit: request.Edit(d.Clone(), calendar))).Where(e => e.Edit is not null).ToList(); // all or nothing
            int written;
            if (calendar is null)
            {
                written = await context.Set<Core.Calendars.TaskCalendar>().Where(c => c.Name == request.Name).ExecuteDeleteAsync(ct).ConfigureAwait(false);
            }
            else if (existing is null)
            {
                context.Add(calendar);
                written = await context.SaveChangesAsync(ct).ConfigureAwait(false);
            }
            else
            {
                var version = existing.Version;
                written = await context.Set<Core.Calendars.TaskCalendar>().Where(c => c.Name == request.Name && c.Version == version)
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.Spec, calendar.Spec).SetProperty(c => c.Version, version + 1).SetProperty(c => c.ChangedAt, request.Now), ct)
                    .ConfigureAwait(false);
            }

            if (written != 1)
            {
                throw new InvalidOperationException($"Calendar '{request.Name}' changed while it was being changed; send the command again.");
            }

            foreach (var (stored, edit) in edits)
            {
                await ApplyEditAsync(context, stored, edit!, request.Now, ct).ConfigureAwait(false);
            }

            return new CalendarChangeResult(calendar, true, [.. edits.Select(e => e.Stored.Id)]);
        }, cancellationToken);
    }

    /// <summary>Writes an edit of a stored (locked) definition in the context's transaction: takes back its occurrences not begun as the
    /// edit says, and writes every column fenced by its version.</summary>
    private async Task<TaskDefinition> ApplyEditAsync(TContext context, TaskDefinition stored, DefinitionEdit edit, DateTimeOffset now, CancellationToken ct)
    {
        var updated = edit.Updated.Clone();
        if (edit.TakeBack != TakeBack.None)
        {
            var args = _dialect.Arguments();
            var takenBack = await ReadAsync(context, SqlDialect.TakeBackSql(args.Id(stored.Id)), args,
                reader => _dialect.IsSqlite ? new DateTimeOffset(reader.GetInt64(0), TimeSpan.Zero) : reader.GetFieldValue<DateTimeOffset>(0), ct).ConfigureAwait(false);
            if (edit.TakeBack == TakeBack.Rewind && takenBack.Count > 0)
            {
                updated.NextFireTime = TaskInstanceLifecycle.Rewound(updated.NextFireTime, takenBack.Min());
            }
        }

        var version = stored.Version;
        var written = await context.Set<TaskDefinition>()
            .Where(d => d.Id == stored.Id && d.Version == version)
            .ExecuteUpdateAsync(s => s
                .SetProperty(d => d.TriggerKind, updated.TriggerKind)
                .SetProperty(d => d.Trigger, updated.Trigger)
                .SetProperty(d => d.TriggerPhrase, updated.TriggerPhrase)
                .SetProperty(d => d.TimeZoneId, updated.TimeZoneId)
                .SetProperty(d => d.StartAt, updated.StartAt)
                .SetProperty(d => d.Metadata, updated.Metadata)
                .SetProperty(d => d.Payload, updated.Payload)
                .SetProperty(d => d.ExpireAfter, updated.ExpireAfter)
                .SetProperty(d => d.Retry, updated.Retry)
                .SetProperty(d => d.Misfire, updated.Misfire)
                .SetProperty(d => d.Overlap, updated.Overlap)
                .SetProperty(d => d.Jitter, updated.Jitter)
                .SetProperty(d => d.Calendar, updated.Calendar)
                .SetProperty(d => d.EndAt, updated.EndAt)
                .SetProperty(d => d.MaxOccurrences, updated.MaxOccurrences)
                .SetProperty(d => d.LastFireTime, updated.LastFireTime)
                .SetProperty(d => d.NextFireTime, updated.NextFireTime)
                .SetProperty(d => d.PausedAt, updated.PausedAt)
                .SetProperty(d => d.CancelledAt, updated.CancelledAt)
                .SetProperty(d => d.DestinationQueue, updated.DestinationQueue)
                .SetProperty(d => d.IdempotencyKey, updated.IdempotencyKey)
                .SetProperty(d => d.CreatedAt, updated.CreatedAt)
                .SetProperty(d => d.TraceParent, updated.TraceParent)
                .SetProperty(d => d.ChangedAt, now)
                .SetProperty(d => d.Version, version + 1), ct).ConfigureAwait(false);
        if (written != 1)
        {
            throw new InvalidOperationException($"Task definition {stored.Id} changed while it was being edited (version {version}); send the command again.");
        }

        updated.ChangedAt = now;
        updated.Version = version + 1;
        return updated;
    }

    /// <inheritdoc />
    public Task<(TaskDefinition? Definition, bool Added)> AddInstanceAsync(TaskInstance instance, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return InTransactionAsync(async (context, ct) =>
        {
            var select = _dialect.Arguments();
            var definition = (await context.Set<TaskDefinition>().FromSqlRaw(_dialect.DefinitionForUpdateSql(select.Id(instance.DefinitionId)), select.ToArray())
                .AsNoTracking().ToListAsync(ct).ConfigureAwait(false)).SingleOrDefault();
            if (definition is null || definition.CancelledAt is not null)
            {
                return (definition, false);
            }

            // ON CONFLICT DO NOTHING without a target: an existing id or (definition, fire time) both leave the row out.
            var added = await InsertInstancesAsync(context, [instance], ct, conflictTarget: null).ConfigureAwait(false);
            return ((TaskDefinition?)definition, added.Count == 1);
        }, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>The metadata filter is SQL over the JSON text (<see cref="SqlDialect.DefinitionsWithMetadataSql"/>) with the key and value as
    /// parameters; the state filter, order and paging are composed on it by EF.</remarks>
    public async Task<IReadOnlyList<TaskDefinition>> ListDefinitionsAsync(DefinitionQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        using var connection = await EnterAsync(cancellationToken).ConfigureAwait(false);
        var context = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            IQueryable<TaskDefinition> definitions;
            if (query.MetadataKey is { } key)
            {
                var args = _dialect.Arguments();
                definitions = context.Set<TaskDefinition>().FromSqlRaw(_dialect.DefinitionsWithMetadataSql(args.Text(key), args.Text(query.MetadataValue)), args.ToArray());
            }
            else
            {
                definitions = context.Set<TaskDefinition>();
            }

            definitions = query.State switch
            {
                TaskState.Cancelled => definitions.Where(d => d.CancelledAt != null),
                TaskState.Paused => definitions.Where(d => d.CancelledAt == null && d.PausedAt != null),
                TaskState.Finished => definitions.Where(d => d.CancelledAt == null && d.PausedAt == null && d.NextFireTime == null),
                TaskState.Active => definitions.Where(d => d.CancelledAt == null && d.PausedAt == null && d.NextFireTime != null),
                _ => definitions,
            };
            return await definitions.AsNoTracking().OrderBy(d => d.CreatedAt).ThenBy(d => d.Id).Skip(query.Skip).Take(query.Take)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<TaskInstance>> ListInstancesAsync(InstanceQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        using var connection = await EnterAsync(cancellationToken).ConfigureAwait(false);
        var context = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            var instances = context.Set<TaskInstance>().AsNoTracking().Where(i => i.DefinitionId == query.DefinitionId);
            if (query.Status is { } status)
            {
                instances = instances.Where(i => i.Status == status);
            }

            return await instances.OrderByDescending(i => i.FireTime).Skip(query.Skip).Take(query.Take).ToListAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    /// <remarks>Three reads in one context, no transaction (a view for operators, not a decision): the backlog due now and the nodes from the
    /// due and lease indexes; the activity in one aggregate query (<see cref="SqlDialect.ActivitySql"/>), which scans the instances table —
    /// bounded by retention (default 1 day), and read only when someone looks.</remarks>
    public async Task<ClusterView> GetClusterViewAsync(ClusterViewRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ClusterActivity.BucketCount(request);
        var now = request.Now;
        using var connection = await EnterAsync(cancellationToken).ConfigureAwait(false);
        var context = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            var instances = context.Set<TaskInstance>().AsNoTracking();
            var due = instances.Where(i => (i.Status == TaskInstanceState.Scheduled || i.Status == TaskInstanceState.Claimed) && i.DueAt <= now);
            var backlog = await due.CountAsync(cancellationToken).ConfigureAwait(false);
            var oldest = backlog == 0 ? null
                : await due.OrderBy(i => i.DueAt).Select(i => i.DueAt).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            var nodes = await instances.Where(i => i.Status == TaskInstanceState.Claimed && i.LeaseOwner != null)
                .GroupBy(i => i.LeaseOwner!)
                .Select(g => new { NodeId = g.Key, Held = g.Count(), LeaseExpiresAt = g.Max(i => i.LeaseExpiresAt) })
                .ToListAsync(cancellationToken).ConfigureAwait(false);

            var args = _dialect.Arguments();
            var sql = _dialect.ActivitySql(args.Time(request.ActivitySince), args.Time(now),
                args.Int(_dialect.IsSqlite ? request.BucketSize.Ticks : (long)request.BucketSize.TotalSeconds));
            var rows = await context.Database.SqlQueryRaw<ActivitySqlRow>(sql, args.ToArray()).ToListAsync(cancellationToken).ConfigureAwait(false);
            var activity = ClusterActivity.Fold(rows.Select(r => new ActivityRow((ActivityRowKind)r.Kind, r.Bucket, r.Count, r.TotalMs, r.MaxMs)), request);
            return new ClusterView(now, backlog, oldest,
                nodes.Select(n => new NodeClaims(n.NodeId, n.Held, n.LeaseExpiresAt)).OrderBy(n => n.NodeId, StringComparer.Ordinal).ToList(), activity);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<TaskInstance>> ListDeadLettersAsync(DeadLetterQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        using var connection = await EnterAsync(cancellationToken).ConfigureAwait(false);
        var context = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            return await context.Set<TaskInstance>().AsNoTracking().Where(i => i.Status == TaskInstanceState.Failed)
                .OrderByDescending(i => i.FailedAt).ThenBy(i => i.Id).Skip(query.Skip).Take(query.Take)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
        }
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
        using var connection = await EnterAsync(cancellationToken).ConfigureAwait(false);
        var context = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            var rows = await context.Set<TaskInstance>().AsNoTracking()
                .Where(i => EF.Parameter(ids).Contains(i.DefinitionId)
                    && (i.Status == TaskInstanceState.Scheduled || i.Status == TaskInstanceState.Dispatched || i.Status == TaskInstanceState.Claimed))
                .Select(i => new { i.DefinitionId, i.Id, i.FireTime, Begun = i.DispatchedAt != null || i.LastError != null })
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            return rows.Select(r => new OpenOccurrence(r.DefinitionId, r.Id, r.FireTime, r.Begun)).ToList();
        }
    }

    /// <inheritdoc />
    /// <remarks>Runs <see cref="EnsureSchemaAsync"/> first (a node joins its cluster before the schema step; the one-row <c>scheduler_cluster</c>
    /// table is part of the schema), then one statement that inserts the row unless one is there and returns the row kept (<see cref="SqlDialect.JoinClusterSql"/>:
    /// a node that leaves at once cannot delete it between the insert and the read).</remarks>
    public async Task<ClusterIdentity> JoinClusterAsync(string clusterName, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterName);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var databaseId = Guid.NewGuid();
        return await InTransactionAsync(async (context, ct) =>
        {
            var args = _dialect.Arguments();
            var owner = (await context.Database.SqlQueryRaw<string>(
                SqlDialect.JoinClusterSql(args.Text(clusterName), args.Text(databaseId.ToString("D")), args.Time(now)), [.. args.Parameters])
                .ToListAsync(ct).ConfigureAwait(false)).Single(); // not composed: an INSERT … RETURNING cannot be a subquery
            var separator = owner.LastIndexOf('|');
            return new ClusterIdentity(owner[..separator], Guid.Parse(owner[(separator + 1)..]));
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<bool> LeaveClusterAsync(ClusterIdentity identity, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return InTransactionAsync(async (context, ct) =>
        {
            var args = _dialect.Arguments();
            var sql = SqlDialect.LeaveClusterSql(args.Text(identity.DatabaseId.ToString("D")));
            return await context.Database.ExecuteSqlRawAsync(sql, args.Parameters, ct).ConfigureAwait(false) == 1;
        }, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>One transaction: a conditional upsert of the node's row (<c>INSERT … ON CONFLICT (node_id) DO UPDATE … WHERE</c> the row is
    /// this run's or its last sign of life is older than the liveness timeout), then, if it was written, one <c>UPDATE</c> that ends the
    /// node's leases; if not, a read of the holder. Two runs starting at once conflict on the row: at ReadCommitted the second waits for the
    /// first and finds its run live; at Serializable (CockroachDB) one of them fails with 40001 and, retried, finds the same.</remarks>
    public Task<NodeRunStart> StartNodeRunAsync(NodeRunRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.NodeId);
        return InTransactionAsync(async (context, ct) =>
        {
            var args = _dialect.Arguments();
            var now = args.Time(request.Now);
            var sql = SqlDialect.StartNodeRunSql(args.Text(request.NodeId), args.Text(request.RunId.ToString("D")), now,
                args.Time(request.Now - request.LivenessTimeout));
            if ((await ReadAsync(context, sql, args, reader => reader.GetString(0), ct).ConfigureAwait(false)).Count == 0)
            {
                var read = _dialect.Arguments();
                var holder = await ReadAsync(context, SqlDialect.NodeRunHolderSql(read.Text(request.NodeId)), read,
                    reader => (RunId: Guid.Parse(reader.GetString(0)), SeenAt: _dialect.IsSqlite
                        ? new DateTimeOffset(reader.GetInt64(1), TimeSpan.Zero)
                        : reader.GetFieldValue<DateTimeOffset>(1)), ct).ConfigureAwait(false);
                return new NodeRunStart(false, 0, holder[0].RunId, holder[0].SeenAt);
            }

            var end = _dialect.Arguments();
            var taken = await context.Database.ExecuteSqlRawAsync(SqlDialect.EndEarlierRunClaimsSql(end.Text(request.NodeId), end.Time(request.Now)),
                end.Parameters, ct).ConfigureAwait(false);
            return new NodeRunStart(true, taken);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> RefreshNodeRunAsync(string nodeId, Guid runId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        return InTransactionAsync(async (context, ct) =>
        {
            var args = _dialect.Arguments();
            var sql = SqlDialect.RefreshNodeRunSql(args.Text(nodeId), args.Text(runId.ToString("D")), args.Time(now));
            return await context.Database.ExecuteSqlRawAsync(sql, args.Parameters, ct).ConfigureAwait(false) == 1;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> EndNodeRunAsync(string nodeId, Guid runId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        return InTransactionAsync(async (context, ct) =>
        {
            var args = _dialect.Arguments();
            var sql = SqlDialect.EndNodeRunSql(args.Text(nodeId), args.Text(runId.ToString("D")));
            return await context.Database.ExecuteSqlRawAsync(sql, args.Parameters, ct).ConfigureAwait(false) == 1;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> CancelDefinitionAsync(Guid id, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        InTransactionAsync(async (context, ct) =>
        {
            var cancelled = await context.Set<TaskDefinition>()
                .Where(d => d.Id == id && d.CancelledAt == null)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(d => d.NextFireTime, (DateTimeOffset?)null)
                    .SetProperty(d => d.CancelledAt, now)
                    .SetProperty(d => d.ChangedAt, now)
                    .SetProperty(d => d.Version, d => d.Version + 1), ct).ConfigureAwait(false);
            if (cancelled == 0)
            {
                return false;
            }

            await context.Set<TaskInstance>()
                .Where(i => i.DefinitionId == id && (i.Status == TaskInstanceState.Scheduled || i.Status == TaskInstanceState.Claimed))
                .ExecuteUpdateAsync(s => s
                    .SetProperty(i => i.Status, TaskInstanceState.Cancelled)
                    .SetProperty(i => i.DueAt, (DateTimeOffset?)null)
                    .SetProperty(i => i.FinishedAt, now)
                    .SetProperty(i => i.LeaseOwner, (string?)null)
                    .SetProperty(i => i.LeaseExpiresAt, (DateTimeOffset?)null)
                    .SetProperty(i => i.Version, i => i.Version + 1), ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <inheritdoc />
    public Task<MaterializeResult> MaterializeDueDefinitionsAsync(MaterializeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return InTransactionAsync(async (context, ct) =>
        {
            var select = _dialect.Arguments();
            var due = await context.Set<TaskDefinition>()
                .FromSqlRaw(_dialect.DueDefinitionsSql(select.Time(request.Horizon), select.Int(request.MaxDefinitions)), select.ToArray())
                .AsNoTracking()
                .ToListAsync(ct).ConfigureAwait(false);
            if (due.Count == 0)
            {
                return new MaterializeResult(0, 0, null);
            }

            // The calendars the due definitions name, read after they were locked: a calendar change that replanned them is seen.
            var names = due.Select(d => d.Calendar).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
            var calendars = names.Count == 0 ? []
                : await context.Set<Core.Calendars.TaskCalendar>().AsNoTracking().Where(c => EF.Parameter(names).Contains(c.Name))
                    .ToDictionaryAsync(c => c.Name, StringComparer.Ordinal, ct).ConfigureAwait(false);
            var plans = due.Select(d => (d.Id, Plan: request.Plan(d.Clone(), d.Calendar is { } name ? calendars.GetValueOrDefault(name) : null))).ToList();
            var planned = plans.SelectMany(p => p.Plan.Instances).ToList();
            var inserted = new HashSet<Guid>();
            foreach (var chunk in planned.Chunk(RowsPerStatement))
            {
                inserted.UnionWith(await InsertInstancesAsync(context, chunk, ct).ConfigureAwait(false));
            }

            foreach (var chunk in plans.Chunk(RowsPerStatement))
            {
                var args = _dialect.Arguments();
                var rows = Rows(chunk, p => $"{args.Id(p.Id)}, {args.Time(p.Plan.NextFireTime)}");
                var sql = $"WITH p (id, next_fire_time) AS (VALUES {rows}) UPDATE {DefinitionsTable} AS d SET next_fire_time = p.next_fire_time, version = d.version + 1 FROM p WHERE d.id = p.id";
                await context.Database.ExecuteSqlRawAsync(sql, args.Parameters, ct).ConfigureAwait(false);
            }

            var earliest = planned.Where(i => i.DueAt is not null && inserted.Contains(i.Id)).Min(i => i.DueAt);
            return new MaterializeResult(due.Count, inserted.Count, earliest);
        }, cancellationToken);
    }

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
                    .FromSqlRaw(_dialect.DeadLetterExpiredSql(expire.Time(request.Now), expire.Text(TaskInstanceLifecycle.ExpiredReason),
                        expire.Text(TaskInstanceLifecycle.NotStartedReason), expire.Int(request.MaxCount)), expire.ToArray())
                    .AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
            }

            var args = _dialect.Arguments();
            var sql = _dialect.ClaimSql(args.Text(request.Owner), args.Time(request.Now), args.Time(request.Horizon),
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
        using var connection = await EnterAsync(cancellationToken).ConfigureAwait(false);
        var context = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
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
        }
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
    public Task<int> ExtendRunningAttemptsAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        InTransactionAsync(async (context, ct) =>
        {
            // TaskInstanceLifecycle.GraceAfterOutage.
            var args = _dialect.Arguments();
            var at = args.Time(now);
            var sql = $"UPDATE {InstancesTable} SET due_at = {at} + expire_after, version = version + 1 WHERE status = {Of(State.Dispatched)} AND due_at < {at} + expire_after";
            return await context.Database.ExecuteSqlRawAsync(sql, args.ToArray(), ct).ConfigureAwait(false);
        }, cancellationToken);

    /// <inheritdoc />
    public async Task<int> ReleaseClaimsAsync(ReleaseRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return (await UpdateClaimsAsync(request.Owner, request.Claims.Distinct().ToList(), ClaimRow, "(id, attempt)",
            args => $"status = {Of(State.Scheduled)}, attempt = t.attempt - 1, due_at = COALESCE({args.Time(request.DueAt)}, t.due_at), lease_owner = NULL, lease_expires_at = NULL",
            cancellationToken).ConfigureAwait(false)).Count;
    }

    /// <inheritdoc />
    /// <remarks>PostgreSQL and CockroachDB: <c>SELECT clock_timestamp()</c> (the time now, not the transaction's start). SQLite runs on the
    /// node's host, so it has no clock of its own: <see langword="null"/>.</remarks>
    public async Task<DateTimeOffset?> GetDatabaseTimeAsync(CancellationToken cancellationToken = default)
    {
        if (_dialect.IsSqlite)
        {
            return null;
        }

        using var connection = await EnterAsync(cancellationToken).ConfigureAwait(false);
        var context = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            return await context.Database.SqlQueryRaw<DateTimeOffset>("SELECT clock_timestamp() AS \"Value\"").SingleAsync(cancellationToken).ConfigureAwait(false);
        }
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
    public async Task<IReadOnlyList<Guid>> RenewLeasesAsync(LeaseRenewalRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await UpdateClaimsAsync(request.Owner, request.Claims.Distinct().ToList(), ClaimRow, "(id, attempt)",
            args => $"lease_expires_at = {args.Time(request.LeaseExpiresAt)}", cancellationToken).ConfigureAwait(false);
    }

    private static string ClaimRow(SqlArguments args, ClaimToken claim) => $"{args.Id(claim.InstanceId)}, {args.Int(claim.Attempt)}";

    /// <inheritdoc />
    public async Task<IReadOnlyList<bool>> ApplyOutcomesAsync(IReadOnlyList<InstanceOutcome> outcomes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        if (outcomes.Count == 0)
        {
            return [];
        }

        // Two outcomes for one row in one statement would be applied once: the later ones go in a statement of their own, after it.
        var rounds = new List<List<int>>();
        var seen = new Dictionary<Guid, int>();
        for (var n = 0; n < outcomes.Count; n++)
        {
            var round = seen.TryGetValue(outcomes[n].InstanceId, out var used) ? used + 1 : 0;
            seen[outcomes[n].InstanceId] = round;
            if (rounds.Count == round)
            {
                rounds.Add([]);
            }

            rounds[round].Add(n);
        }

        var alive = In(Kind.Started, Kind.Heartbeat);
        var completed = Of(Kind.Completed);
        var retry = Of(Kind.RetryScheduled);
        var deadLettered = Of(Kind.DeadLettered);
        return await InTransactionAsync(async (context, ct) =>
        {
            var applied = new bool[outcomes.Count];
            foreach (var round in rounds)
            {
                foreach (var chunk in round.Chunk(RowsPerStatement))
                {
                    var args = _dialect.Arguments();
                    var rows = Rows(chunk, n =>
                    {
                        var o = outcomes[n];
                        return string.Join(", ", args.Id(o.InstanceId), args.Int(o.Attempt), args.Int((int)o.Kind), args.Time(o.RecordedAt),
                            args.Time(o.StartedAt), args.Time(o.ReportedCompletedAt), args.Time(o.RetryAt), args.Text(o.Error));
                    });
                    // The fence is TaskInstanceLifecycle.Accepts (its AcceptingStates); the SET clauses are TaskInstanceLifecycle.Apply (Started and
                    // Heartbeat are its Alive: a start, or a heartbeat that moves the expiry only forward).
                    var sql = $"""
                        WITH o (id, attempt, kind, recorded_at, started_at, reported_at, retry_at, error) AS (VALUES {rows})
                        UPDATE {InstancesTable} AS t SET
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
                            lease_expires_at = CASE WHEN o.kind IN ({alive}) THEN t.lease_expires_at ELSE NULL END,
                            version = t.version + 1
                        FROM o
                        WHERE t.id = o.id AND ((o.kind = {completed} AND t.status IN ({In(TaskInstanceLifecycle.AcceptingStates(Kind.Completed))}))
                            OR (o.kind <> {completed} AND t.attempt = o.attempt AND t.status IN ({In(TaskInstanceLifecycle.AcceptingStates(Kind.Started))})))
                        RETURNING {_dialect.ReturningId} AS "Value"
                        """;
                    var updated = (await ReadIdsAsync(context, sql, args, ct).ConfigureAwait(false)).ToHashSet();
                    foreach (var n in chunk)
                    {
                        applied[n] = updated.Contains(outcomes[n].InstanceId);
                    }
                }
            }

            return (IReadOnlyList<bool>)applied;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<TaskInstance?> GetInstanceAsync(Guid id, CancellationToken cancellationToken = default)
    {
        using var connection = await EnterAsync(cancellationToken).ConfigureAwait(false);
        var context = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            return await context.Set<TaskInstance>().AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, cancellationToken).ConfigureAwait(false);
        }
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
        using var connection = await EnterAsync(cancellationToken).ConfigureAwait(false);
        var context = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            return await context.Set<TaskInstance>().AsNoTracking().Where(i => EF.Parameter(wanted).Contains(i.Id)).ToListAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<TaskInstance>> GetInstancesAsync(Guid definitionId, CancellationToken cancellationToken = default)
    {
        using var connection = await EnterAsync(cancellationToken).ConfigureAwait(false);
        var context = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            return await context.Set<TaskInstance>().AsNoTracking()
                .Where(i => i.DefinitionId == definitionId)
                .OrderBy(i => i.FireTime)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
        }
    }

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
    public Task<CleanupResult> CleanupAsync(CleanupRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return InTransactionAsync(async (context, ct) =>
        {
            var before = request.FinishedBefore;
            var instances = await context.Set<TaskInstance>()
                .Where(i => i.FinishedAt != null && i.FinishedAt < before
                    && (i.Status == TaskInstanceState.Completed || i.Status == TaskInstanceState.Failed || i.Status == TaskInstanceState.Cancelled
                        || i.Status == TaskInstanceState.Skipped))
                .OrderBy(i => i.FinishedAt)
                .Take(request.MaxCount)
                .ExecuteDeleteAsync(ct).ConfigureAwait(false);
            var definitions = await context.Set<TaskDefinition>()
                .Where(d => d.NextFireTime == null && (d.CancelledAt ?? d.CreatedAt) < before
                    && !context.Set<TaskInstance>().Any(i => i.DefinitionId == d.Id))
                .OrderBy(d => d.Id)
                .Take(request.MaxCount)
                .ExecuteDeleteAsync(ct).ConfigureAwait(false);
            return new CleanupResult(instances, definitions);
        }, cancellationToken);
    }

    private static string Rows<T>(IEnumerable<T> items, Func<T, string> row)
    {
        var sql = new StringBuilder();
        foreach (var item in items)
        {
            sql.Append(sql.Length == 0 ? "(" : ", (").Append(row(item)).Append(')');
        }

        return sql.ToString();
    }

    private async Task<List<Guid>> InsertInstancesAsync(TContext context, IReadOnlyCollection<TaskInstance> instances, CancellationToken cancellationToken,
        string? conflictTarget = "(definition_id, fire_time)")
    {
        var args = _dialect.Arguments();
        var rows = Rows(instances, i => string.Join(", ",
            args.Id(i.Id), args.Id(i.DefinitionId), args.Time(i.FireTime), args.Int((int)i.Status), args.Int(i.Attempt), args.Time(i.DueAt),
            args.Duration(i.ExpireAfter), args.Text(SerializeRetry(i.Retry)), args.Int(i.MaxAttempts), args.Text(i.LeaseOwner),
            args.Time(i.LeaseExpiresAt), args.Time(i.DispatchedAt), args.Time(i.StartedAt), args.Time(i.CompletedAt), args.Time(i.ReportedCompletedAt),
            args.Time(i.FailedAt), args.Time(i.FinishedAt), args.Text(i.LastError), "1", args.Duration(i.Jitter)));
        var sql = $"""
            INSERT INTO {InstancesTable} (id, definition_id, fire_time, status, attempt, due_at, expire_after, retry, max_attempts, lease_owner,
                lease_expires_at, dispatched_at, started_at, completed_at, reported_completed_at, failed_at, finished_at, last_error, version, jitter)
            VALUES {rows}
            ON CONFLICT {conflictTarget} DO NOTHING
            RETURNING id AS "Value"
            """;
        return await ReadIdsAsync(context, sql, args, cancellationToken).ConfigureAwait(false);
    }

    private async Task<List<Guid>> InsertDefinitionsAsync(TContext context, IReadOnlyCollection<TaskDefinition> definitions, CancellationToken cancellationToken)
    {
        var args = _dialect.Arguments();
        var rows = Rows(definitions, d => string.Join(", ",
            args.Id(d.Id), args.Int((int)d.TriggerKind), args.Text(d.Trigger), args.Text(d.TriggerPhrase), args.Text(d.TimeZoneId), args.Time(d.StartAt),
            args.Text(SerializeMetadata(d.Metadata)), args.Text(d.Payload), args.Duration(d.ExpireAfter), args.Text(SerializeRetry(d.Retry)),
            args.Int((int)d.Misfire), args.Text(d.DestinationQueue), args.Text(d.IdempotencyKey), args.Time(d.CreatedAt), args.Time(d.NextFireTime),
            args.Time(d.CancelledAt), "1", args.Int((int)d.Overlap), args.Time(d.PausedAt), args.Time(d.ChangedAt), args.Text(d.TraceParent),
            args.Duration(d.Jitter), args.Time(d.EndAt), d.MaxOccurrences is { } max ? args.Int(max) : "NULL", args.Time(d.LastFireTime), args.Text(d.Calendar)));
        // No conflict target: a row that collides on any unique key (the primary key or the idempotency key's unique index) is skipped.
        var sql = $"""
            INSERT INTO {DefinitionsTable} (id, trigger_kind, trigger_expression, trigger_phrase, time_zone_id, start_at, metadata, payload, expire_after, retry,
                misfire, destination_queue, idempotency_key, created_at, next_fire_time, cancelled_at, version, overlap, paused_at, changed_at, trace_parent,
                jitter, end_at, max_occurrences, last_fire_time, calendar)
            VALUES {rows}
            ON CONFLICT DO NOTHING
            RETURNING id AS "Value"
            """;
        return await ReadIdsAsync(context, sql, args, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a statement that returns ids (<c>RETURNING id</c>) in the context's transaction, through ADO.NET: its text changes with the batch
    /// size (one <c>VALUES</c> row per item), and EF's raw-SQL queries would compile a new query and shaper for every size they see.
    /// </summary>
    private static Task<List<Guid>> ReadIdsAsync(TContext context, string sql, SqlArguments args, CancellationToken cancellationToken) =>
        ReadAsync(context, sql, args, reader => reader.GetGuid(0), cancellationToken);

    /// <summary>Runs a statement through ADO.NET in the context's transaction (see <see cref="ReadIdsAsync"/>) and reads each row with <paramref name="read"/>.</summary>
    private static async Task<List<T>> ReadAsync<T>(TContext context, string sql, SqlArguments args, Func<System.Data.Common.DbDataReader, T> read,
        CancellationToken cancellationToken)
    {
        var command = context.Database.GetDbConnection().CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = sql;
            command.Transaction = context.Database.CurrentTransaction?.GetDbTransaction();
            if (context.Database.GetCommandTimeout() is { } timeout)
            {
                command.CommandTimeout = timeout;
            }

            command.Parameters.AddRange(args.ToArray());
            var rows = new List<T>();
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    rows.Add(read(reader));
                }
            }

            return rows;
        }
    }

    /// <summary>Runs <paramref name="work"/> in one transaction at the configured isolation level, the whole of it again when the execution
    /// strategy sees a transient failure (a fresh change tracker each time, so <paramref name="work"/> must not depend on earlier runs).</summary>
    private async Task<T> InTransactionAsync<T>(Func<TContext, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        using var connection = await EnterAsync(cancellationToken).ConfigureAwait(false);
        var context = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            var strategy = context.Database.CreateExecutionStrategy();
            return await strategy.ExecuteAsync((context, work, isolation: _options.EffectiveIsolationLevel), static async (state, ct) =>
            {
                state.context.ChangeTracker.Clear();
                var transaction = await state.context.Database.BeginTransactionAsync(state.isolation, ct).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    var result = await state.work(state.context, ct).ConfigureAwait(false);
                    await transaction.CommitAsync(ct).ConfigureAwait(false);
                    return result;
                }
            }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for one of the store's <see cref="EfTaskStoreOptions.MaxConnections"/> slots; every operation holds one while it has a
    /// context (so at most one connection) open, so the store never asks the pool or the server for more connections than that.</summary>
    private async Task<ConnectionSlot> EnterAsync(CancellationToken cancellationToken)
    {
        await _connections.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new ConnectionSlot(_connections);
    }

    private readonly struct ConnectionSlot(SemaphoreSlim connections) : IDisposable
    {
        public void Dispose() => connections.Release();
    }
}
