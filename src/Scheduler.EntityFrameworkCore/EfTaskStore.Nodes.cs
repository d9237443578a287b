using Microsoft.EntityFrameworkCore;
using Scheduler.Core.Storage;

namespace Scheduler.EntityFrameworkCore;

/// <summary>The cluster's records (<see cref="INodeStore"/>): the database's owner, node runs (with the take-back of an earlier run's claims) and the database clock.</summary>
public sealed partial class EfTaskStore<TContext>
{
    /// <summary>The one-row table that records who the database belongs to (<see cref="Core.Storage.ClusterIdentity"/>).</summary>
    private const string ClusterTable = "scheduler_cluster";

    /// <summary>The table of node runs: per node id, the run that holds it and its last sign of life (<see cref="Core.Storage.NodeRunRequest"/>).</summary>
    private const string NodesTable = "scheduler_nodes";

    /// <inheritdoc />
    /// <remarks>Runs <see cref="EnsureSchemaAsync"/> first (a node joins its cluster before the schema step; the one-row <c>scheduler_cluster</c>
    /// table is part of the schema), then one statement that inserts the row unless one is there and returns the row kept (<see cref="JoinClusterSql"/>:
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
                JoinClusterSql(args.Text(clusterName), args.Text(databaseId.ToString("D")), args.Time(now)), [.. args.Parameters])
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
            var sql = LeaveClusterSql(args.Text(identity.DatabaseId.ToString("D")));
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
            var sql = StartNodeRunSql(args.Text(request.NodeId), args.Text(request.RunId.ToString("D")), now,
                args.Time(request.Now - request.LivenessTimeout), args.Text(request.Version));
            if ((await ReadAsync(context, sql, args, reader => reader.GetString(0), ct).ConfigureAwait(false)).Count == 0)
            {
                var read = _dialect.Arguments();
                var holder = await ReadAsync(context, NodeRunHolderSql(read.Text(request.NodeId)), read,
                    reader => (RunId: Guid.Parse(reader.GetString(0)), SeenAt: ReadTime(reader, 1)), ct).ConfigureAwait(false);
                return new NodeRunStart(false, 0, holder[0].RunId, holder[0].SeenAt);
            }

            var end = _dialect.Arguments();
            var taken = await context.Database.ExecuteSqlRawAsync(TaskInstanceLifecycle.EndEarlierRunClaimsSql(end.Text(request.NodeId), end.Time(request.Now)),
                end.Parameters, ct).ConfigureAwait(false);
            return new NodeRunStart(true, taken);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> RefreshNodeRunAsync(string nodeId, Guid runId, DateTimeOffset now, TimeSpan? clockOffset, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        return InTransactionAsync(async (context, ct) =>
        {
            var args = _dialect.Arguments();
            var sql = RefreshNodeRunSql(args.Text(nodeId), args.Text(runId.ToString("D")), args.Time(now), args.Double(clockOffset?.TotalMilliseconds));
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
            var sql = EndNodeRunSql(args.Text(nodeId), args.Text(runId.ToString("D")));
            return await context.Database.ExecuteSqlRawAsync(sql, args.Parameters, ct).ConfigureAwait(false) == 1;
        }, cancellationToken);
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

        return await WithContextAsync(async context =>
        {
            return await context.Database.SqlQueryRaw<DateTimeOffset>("SELECT clock_timestamp() AS \"Value\"").SingleAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records the owner in row 1 unless a row is there, and returns the row's owner as one text value <c>cluster_name|database_id</c> in a
    /// column named <c>Value</c> — in one statement (any engine: <c>INSERT … ON CONFLICT … DO UPDATE … RETURNING</c>, the update a no-op that
    /// returns the row kept), so no node that leaves at once can delete the row between a join's insert and its read (parameterized).
    /// </summary>
    private static string JoinClusterSql(string clusterName, string databaseId, string now) =>
        $"INSERT INTO {ClusterTable} (id, cluster_name, database_id, created_at) VALUES (1, {clusterName}, {databaseId}, {now}) " +
        $"ON CONFLICT (id) DO UPDATE SET id = excluded.id RETURNING cluster_name || '|' || database_id AS \"Value\"";

    /// <summary>Removes the owner's row while no task definition is stored (parameterized).</summary>
    private static string LeaveClusterSql(string databaseId) =>
        $"DELETE FROM {ClusterTable} WHERE id = 1 AND database_id = {databaseId} AND NOT EXISTS (SELECT 1 FROM task_definitions)";

    /// <summary>Records run <c>run</c> as node <c>node</c>'s, live at <c>now</c>, unless another run of it was seen after <c>staleBefore</c>
    /// (one conditional upsert, any engine); returns the run id when it was written, no row otherwise.</summary>
    private static string StartNodeRunSql(string node, string run, string now, string staleBefore, string version) =>
        $"INSERT INTO {NodesTable} (node_id, run_id, started_at, seen_at, version, clock_offset_ms) VALUES ({node}, {run}, {now}, {now}, {version}, NULL) " +
        "ON CONFLICT (node_id) DO UPDATE SET run_id = excluded.run_id, started_at = excluded.started_at, seen_at = excluded.seen_at, " +
        "version = excluded.version, clock_offset_ms = excluded.clock_offset_ms " +
        $"WHERE {NodesTable}.run_id = excluded.run_id OR {NodesTable}.seen_at <= {staleBefore} RETURNING run_id";

    /// <summary>The run that holds node <c>node</c> and its last sign of life.</summary>
    private static string NodeRunHolderSql(string node) => $"SELECT run_id, seen_at FROM {NodesTable} WHERE node_id = {node}";

    /// <summary>Records a sign of life of run <c>run</c> of node <c>node</c>, with its clock offset, if that run holds it.</summary>
    private static string RefreshNodeRunSql(string node, string run, string now, string clockOffsetMs) =>
        $"UPDATE {NodesTable} SET seen_at = {now}, clock_offset_ms = {clockOffsetMs} WHERE node_id = {node} AND run_id = {run}";

    /// <summary>Every node's run record: node_id, run_id, started_at, seen_at, version, clock_offset_ms.</summary>
    private const string NodeRunsSql = $"SELECT node_id, run_id, started_at, seen_at, version, clock_offset_ms FROM {NodesTable}";

    /// <summary>Every node's run record (<see cref="NodeRunsSql"/>), in <paramref name="context"/>.</summary>
    private Task<List<NodeRunRecord>> ReadNodeRunsAsync(TContext context, CancellationToken cancellationToken) =>
        ReadAsync(context, NodeRunsSql, _dialect.Arguments(), reader => new NodeRunRecord(reader.GetString(0), Guid.Parse(reader.GetString(1)),
            ReadTime(reader, 2), ReadTime(reader, 3), reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetDouble(5)),
            cancellationToken);

    /// <summary>A timestamp column: SQLite stores UTC ticks, PostgreSQL and CockroachDB timestamptz.</summary>
    private DateTimeOffset ReadTime(System.Data.Common.DbDataReader reader, int ordinal) =>
        _dialect.IsSqlite ? new DateTimeOffset(reader.GetInt64(ordinal), TimeSpan.Zero) : reader.GetFieldValue<DateTimeOffset>(ordinal);

    /// <summary>Removes run <c>run</c>'s record of node <c>node</c> if that run holds it.</summary>
    private static string EndNodeRunSql(string node, string run) => $"DELETE FROM {NodesTable} WHERE node_id = {node} AND run_id = {run}";
}
