using Scheduler.Core.Storage;
using static Scheduler.EntityFrameworkCore.SchedulerModelBuilderExtensions;
using static Scheduler.EntityFrameworkCore.SqlValues;
using Kind = Scheduler.Core.Storage.OutcomeKind;
using State = Scheduler.Contracts.TaskInstanceState;

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
}
