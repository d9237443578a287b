using Scheduler.Core.Storage;

namespace Scheduler.EntityFrameworkCore;

/// <summary>The task instance saga's transitions (<see cref="IOutcomeStore"/>): workers' reports applied, fenced by <see cref="TaskInstanceLifecycle.Accepts"/>.</summary>
public sealed partial class EfTaskStore<TContext>
{
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
                            args.Time(o.StartedAt), args.Time(o.ReportedCompletedAt), args.Time(o.RetryAt), args.Text(o.Error),
                            args.Text(o.Worker));
                    });
                    var sql = TaskInstanceLifecycle.ApplyOutcomesSql(rows, _dialect.ReturningId, !_dialect.IsSqlite);
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
}
