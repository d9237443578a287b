using Microsoft.EntityFrameworkCore;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;
using static Scheduler.EntityFrameworkCore.SchedulerModelBuilderExtensions;

namespace Scheduler.EntityFrameworkCore;

/// <summary>Task definitions and calendars (<see cref="IDefinitionStore"/>): intake, task control and the take-back of occurrences not begun.</summary>
public sealed partial class EfTaskStore<TContext>
{
    /// <inheritdoc />
    /// <remarks>One transaction: multi-row <c>INSERT … ON CONFLICT DO NOTHING RETURNING id</c> per <see cref="DefinitionsPerStatement"/> definitions
    /// (any unique key: id or idempotency key) — on PostgreSQL, from <see cref="CopyThreshold"/> definitions, a binary <c>COPY</c> into a
    /// staging table and one such <c>INSERT … SELECT</c> instead (<see cref="CopyDefinitionsAsync"/>) — then one query for the stored rows that the definitions not inserted collided with. A
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
            if (CopiesDefinitions(batch.Candidates.Count))
            {
                inserted.UnionWith(await CopyDefinitionsAsync(context, batch.Candidates, ct).ConfigureAwait(false));
            }
            else
            {
                foreach (var chunk in batch.Candidates.Chunk(DefinitionsPerStatement))
                {
                    inserted.UnionWith(await InsertDefinitionsAsync(context, chunk, ct).ConfigureAwait(false));
                }
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
        return await WithContextAsync(async context =>
        {
            return await context.Set<TaskDefinition>().AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>The metadata filter is SQL over the JSON text (<see cref="DefinitionsWithMetadataSql"/>) with the key and value as
    /// parameters; the state filter, order and paging are composed on it by EF.</remarks>
    public async Task<IReadOnlyList<TaskDefinition>> ListDefinitionsAsync(DefinitionQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return await WithContextAsync(async context =>
        {
            var definitions = DefinitionsMatching(context, query.MetadataKey, query.MetadataValue);

            definitions = query.State switch
            {
                TaskState.Cancelled => definitions.Where(d => d.CancelledAt != null),
                TaskState.Paused => definitions.Where(d => d.CancelledAt == null && d.PausedAt != null),
                TaskState.Finished => definitions.Where(d => d.CancelledAt == null && d.PausedAt == null && d.NextFireTime == null),
                TaskState.Active => definitions.Where(d => d.CancelledAt == null && d.PausedAt == null && d.NextFireTime != null),
                _ => definitions,
            };
            if (query.RecurringOnly)
            {
                definitions = definitions.Where(d => d.TriggerKind != TriggerKind.Once);
            }

            if (query.After is { } after)
            {
                // Keyset: the rows after the cursor in (created_at, id); uuid order is the order of the ids' text, as SQLite keeps them.
                definitions = definitions.Where(d => d.CreatedAt > after.CreatedAt || (d.CreatedAt == after.CreatedAt && d.Id.CompareTo(after.Id) > 0));
            }

            return await definitions.AsNoTracking().OrderBy(d => d.CreatedAt).ThenBy(d => d.Id).Skip(query.Skip).Take(query.Take)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
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

            var args = _dialect.Arguments();
            await context.Database.ExecuteSqlRawAsync(TaskInstanceLifecycle.CancelSql(args.Id(id), args.Time(now)), args.Parameters, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <inheritdoc />
    /// <remarks>One transaction: the definition row is read and locked (<c>FOR UPDATE</c> on PostgreSQL and CockroachDB), the occurrences taken
    /// back are deleted with one statement, and the row is written back fenced by its version.</remarks>
    public Task<DefinitionChangeResult> ChangeDefinitionAsync(DefinitionChangeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return InTransactionAsync(async (context, ct) =>
        {
            var select = _dialect.Arguments();
            var stored = (await context.Set<TaskDefinition>().FromSqlRaw(DefinitionForUpdateSql(select.Id(request.Id)), select.ToArray())
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

    /// <summary>Writes an edit of a stored (locked) definition in the context's transaction: takes back its occurrences not begun as the
    /// edit says, and writes every column fenced by its version.</summary>
    private async Task<TaskDefinition> ApplyEditAsync(TContext context, TaskDefinition stored, DefinitionEdit edit, DateTimeOffset now, CancellationToken ct)
    {
        var updated = edit.Updated.Clone();
        if (edit.TakeBack != TakeBack.None)
        {
            var args = _dialect.Arguments();
            var takenBack = await ReadAsync(context, TaskInstanceLifecycle.TakeBackSql(args.Id(stored.Id)), args,
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
            var definition = (await context.Set<TaskDefinition>().FromSqlRaw(DefinitionForUpdateSql(select.Id(instance.DefinitionId)), select.ToArray())
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
    public async Task<Core.Calendars.TaskCalendar?> GetCalendarAsync(string name, CancellationToken cancellationToken = default)
    {
        return await WithContextAsync(async context =>
        {
            return await context.Set<Core.Calendars.TaskCalendar>().AsNoTracking().SingleOrDefaultAsync(c => c.Name == name, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Core.Calendars.TaskCalendar>> ListCalendarsAsync(CancellationToken cancellationToken = default)
    {
        return await WithContextAsync<IReadOnlyList<Core.Calendars.TaskCalendar>>(async context =>
        {
            var all = await context.Set<Core.Calendars.TaskCalendar>().AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
            return [.. all.OrderBy(c => c.Name, StringComparer.Ordinal)];
        }, cancellationToken).ConfigureAwait(false);
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
                .FromSqlRaw(CalendarForUpdateSql(select.Text(request.Name)), select.ToArray()).AsNoTracking().ToListAsync(ct).ConfigureAwait(false))
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
                .FromSqlRaw(DefinitionsNamingCalendarSql(naming.Text(request.Name)), naming.ToArray()).AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
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

    private async Task<List<Guid>> InsertDefinitionsAsync(TContext context, IReadOnlyCollection<TaskDefinition> definitions, CancellationToken cancellationToken)
    {
        var args = _dialect.Arguments();
        var rows = Rows(definitions, d => string.Join(", ", DefinitionColumns.Select(c => Argument(args, c.Type, c.Value(d)))));
        // No conflict target: a row that collides on any unique key (the primary key or the idempotency key's unique index) is skipped.
        var sql = $"""
            INSERT INTO {DefinitionsTable} ({DefinitionColumnList})
            VALUES {rows}
            ON CONFLICT DO NOTHING
            RETURNING id AS "Value"
            """;
        return await ReadIdsAsync(context, sql, args, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Selects the definition <c>id</c> for a change and locks it (PostgreSQL and CockroachDB; SQLite holds the write lock already).</summary>
    private string DefinitionForUpdateSql(string id) =>
        $"SELECT * FROM {DefinitionsTable} WHERE id = {id}{_dialect.ForUpdate}";

    /// <summary>Reads and locks the calendar named by parameter <c>name</c> (SQLite holds the database's write lock already).</summary>
    private string CalendarForUpdateSql(string name) =>
        $"SELECT * FROM {CalendarsTable} WHERE name = {name}{_dialect.ForUpdate}";

    /// <summary>Reads and locks the definitions that are not cancelled and name the calendar given by parameter <c>name</c>.</summary>
    private string DefinitionsNamingCalendarSql(string name) =>
        $"SELECT * FROM {DefinitionsTable} WHERE calendar = {name} AND cancelled_at IS NULL{_dialect.ForUpdate}";

    /// <summary>The definitions, as a query EF can compose on: those whose metadata has the entry <paramref name="metadataKey"/>
    /// (= <paramref name="metadataValue"/> unless it is <see langword="null"/>; <see cref="DefinitionsWithMetadataSql"/>), or all without a key.</summary>
    private IQueryable<TaskDefinition> DefinitionsMatching(TContext context, string? metadataKey, string? metadataValue)
    {
        if (metadataKey is null)
        {
            return context.Set<TaskDefinition>();
        }

        var args = _dialect.Arguments();
        return context.Set<TaskDefinition>().FromSqlRaw(DefinitionsWithMetadataSql(args.Text(metadataKey), args.Text(metadataValue)), args.ToArray());
    }

    /// <summary>The definitions whose metadata has the entry <c>key</c> (= <c>value</c> unless <c>value</c> is NULL), as a query EF can compose
    /// on: SQLite walks the JSON with <c>json_each</c>; PostgreSQL and CockroachDB read it as <c>jsonb</c>. Keys and values are parameters.</summary>
    private string DefinitionsWithMetadataSql(string key, string value) => _dialect.IsSqlite
        ? $"SELECT d.* FROM {DefinitionsTable} AS d WHERE EXISTS (SELECT 1 FROM json_each(d.metadata) AS e WHERE e.key = {key} AND ({value} IS NULL OR e.value = {value}))"
        : $"SELECT d.* FROM {DefinitionsTable} AS d WHERE (d.metadata::jsonb) ->> {key} IS NOT NULL AND ({value} IS NULL OR (d.metadata::jsonb) ->> {key} = {value})";
}
