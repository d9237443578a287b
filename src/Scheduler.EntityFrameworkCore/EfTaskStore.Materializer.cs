using Microsoft.EntityFrameworkCore;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;
using static Scheduler.EntityFrameworkCore.SchedulerModelBuilderExtensions;

namespace Scheduler.EntityFrameworkCore;

/// <summary>The scheduler loop's transition (<see cref="IMaterializerStore"/>): due definitions become task instances.</summary>
public sealed partial class EfTaskStore<TContext>
{
    /// <inheritdoc />
    public Task<MaterializeResult> MaterializeDueDefinitionsAsync(MaterializeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return InTransactionAsync(async (context, ct) =>
        {
            var select = _dialect.Arguments();
            var due = await context.Set<TaskDefinition>()
                .FromSqlRaw(DueDefinitionsSql(select.Time(request.Horizon), select.Int(request.MaxDefinitions)), select.ToArray())
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

    /// <summary>Selects and locks due definitions for one materialize transaction: PostgreSQL skips rows another node is materializing,
    /// CockroachDB locks them (a concurrent materializer waits or retries), SQLite holds the database's write lock already.</summary>
    private string DueDefinitionsSql(string horizon, string limit)
    {
        return $"SELECT * FROM {DefinitionsTable} WHERE next_fire_time IS NOT NULL AND next_fire_time <= {horizon} AND paused_at IS NULL ORDER BY next_fire_time LIMIT {limit}{_dialect.Lock}";
    }
}
