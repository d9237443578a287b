using Microsoft.EntityFrameworkCore;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;

namespace Scheduler.EntityFrameworkCore;

/// <summary>The attempt history (<see cref="IAttemptReader"/>, table <c>task_attempts</c>): read by instance; written by the transitions' own
/// statements (<see cref="TaskInstanceLifecycle"/>, <c>.Attempts.cs</c>).</summary>
public sealed partial class EfTaskStore<TContext>
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<TaskAttempt>> GetAttemptsAsync(IReadOnlyCollection<Guid> instanceIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instanceIds);
        if (instanceIds.Count == 0)
        {
            return [];
        }

        var wanted = instanceIds.Distinct().ToList();
        return await WithContextAsync(async context => await context.Set<TaskAttempt>().AsNoTracking()
            .Where(a => EF.Parameter(wanted).Contains(a.InstanceId))
            .OrderBy(a => a.InstanceId).ThenBy(a => a.Attempt)
            .ToListAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// On SQLite, writes the attempt rows of a claim or an expiry from the rows its <c>UPDATE … RETURNING *</c> returned: <paramref name="upsert"/>
    /// over <c>u <paramref name="columns"/></c> (one <paramref name="row"/> per instance), in the same transaction. SQLite runs in process, so
    /// this is no round trip; PostgreSQL and CockroachDB write them in the transition's own statement (a data-modifying CTE), and skip this.
    /// </summary>
    private async Task WriteAttemptsOnSqliteAsync(TContext context, List<TaskInstance> updated, Func<SqlArguments, TaskInstance, string> row,
        string columns, Func<SqlArguments, string> upsert, CancellationToken cancellationToken)
    {
        if (!_dialect.IsSqlite || updated.Count == 0)
        {
            return;
        }

        foreach (var chunk in updated.Chunk(RowsPerStatement))
        {
            var args = _dialect.Arguments();
            var sql = $"WITH u {columns} AS (VALUES {Rows(chunk, i => row(args, i))}) {upsert(args)}";
            await context.Database.ExecuteSqlRawAsync(sql, args.ToArray(), cancellationToken).ConfigureAwait(false);
        }
    }
}
