using Microsoft.EntityFrameworkCore;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;

namespace Scheduler.EntityFrameworkCore;

/// <summary>Retention (<see cref="ICleanupStore"/>): final instances and finished definitions deleted.</summary>
public sealed partial class EfTaskStore<TContext>
{
    /// <inheritdoc />
    public Task<CleanupResult> CleanupAsync(CleanupRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return InTransactionAsync(async (context, ct) =>
        {
            var before = request.FinishedBefore;
            var args = _dialect.Arguments();
            var instances = await context.Database.ExecuteSqlRawAsync(
                TaskInstanceLifecycle.DeletePastRetentionSql(args.Time(before), args.Int(request.MaxCount)), args.Parameters, ct).ConfigureAwait(false);
            var definitions = await context.Set<TaskDefinition>()
                .Where(d => d.NextFireTime == null && (d.CancelledAt ?? d.CreatedAt) < before
                    && !context.Set<TaskInstance>().Any(i => i.DefinitionId == d.Id))
                .OrderBy(d => d.Id)
                .Take(request.MaxCount)
                .ExecuteDeleteAsync(ct).ConfigureAwait(false);
            return new CleanupResult(instances, definitions);
        }, cancellationToken);
    }
}
