using Scheduler.Core.Storage;
using static Scheduler.EntityFrameworkCore.SchedulerModelBuilderExtensions;
using static Scheduler.EntityFrameworkCore.SqlValues;
using State = Scheduler.Contracts.TaskInstanceState;

namespace Scheduler.EntityFrameworkCore;

/// <summary>
/// The SQL that differs between SQLite, PostgreSQL and CockroachDB. Statuses: 0 Scheduled, 1 Dispatched, 2 Completed, 3 Failed, 4 Cancelled,
/// 5 Claimed, 6 Skipped. The predicates mirror <see cref="Core.Storage.TaskInstanceLifecycle"/>; the store contract tests hold both to one table.
/// </summary>
internal sealed class SqlDialect
{
    /// <summary>The one-row table that records who the database belongs to (<see cref="Core.Storage.ClusterIdentity"/>).</summary>
    public const string ClusterTable = "scheduler_cluster";

    /// <summary>The table of node runs: per node id, the run that holds it and its last sign of life (<see cref="Core.Storage.NodeRunRequest"/>).</summary>
    public const string NodesTable = "scheduler_nodes";

    private SqlDialect(SchedulerDatabase database) => Database = database;

    public static SqlDialect Sqlite { get; } = new(SchedulerDatabase.Sqlite);

    public static SqlDialect Postgres { get; } = new(SchedulerDatabase.Postgres);

    public static SqlDialect CockroachDb { get; } = new(SchedulerDatabase.CockroachDb);

    public SchedulerDatabase Database { get; }

    public bool IsSqlite => Database == SchedulerDatabase.Sqlite;

    public static SqlDialect For(SchedulerDatabase database) => database switch
    {
        SchedulerDatabase.Sqlite => Sqlite,
        SchedulerDatabase.Postgres => Postgres,
        SchedulerDatabase.CockroachDb => CockroachDb,
        _ => throw new ArgumentOutOfRangeException(nameof(database), database, "Unknown database."),
    };

    public SqlArguments Arguments() => new(Database);

    /// <summary>
    /// Records the owner in row 1 unless a row is there, and returns the row's owner as one text value <c>cluster_name|database_id</c> in a
    /// column named <c>Value</c> — in one statement (any engine: <c>INSERT … ON CONFLICT … DO UPDATE … RETURNING</c>, the update a no-op that
    /// returns the row kept), so no node that leaves at once can delete the row between a join's insert and its read (parameterized).
    /// </summary>
    public static string JoinClusterSql(string clusterName, string databaseId, string now) =>
        $"INSERT INTO {ClusterTable} (id, cluster_name, database_id, created_at) VALUES (1, {clusterName}, {databaseId}, {now}) " +
        $"ON CONFLICT (id) DO UPDATE SET id = excluded.id RETURNING cluster_name || '|' || database_id AS \"Value\"";

    /// <summary>Removes the owner's row while no task definition is stored (parameterized).</summary>
    public static string LeaveClusterSql(string databaseId) =>
        $"DELETE FROM {ClusterTable} WHERE id = 1 AND database_id = {databaseId} AND NOT EXISTS (SELECT 1 FROM task_definitions)";

    /// <summary>Records run <c>run</c> as node <c>node</c>'s, live at <c>now</c>, unless another run of it was seen after <c>staleBefore</c>
    /// (one conditional upsert, any engine); returns the run id when it was written, no row otherwise.</summary>
    public static string StartNodeRunSql(string node, string run, string now, string staleBefore) =>
        $"INSERT INTO {NodesTable} (node_id, run_id, started_at, seen_at) VALUES ({node}, {run}, {now}, {now}) " +
        "ON CONFLICT (node_id) DO UPDATE SET run_id = excluded.run_id, started_at = excluded.started_at, seen_at = excluded.seen_at " +
        $"WHERE {NodesTable}.run_id = excluded.run_id OR {NodesTable}.seen_at <= {staleBefore} RETURNING run_id";

    /// <summary>The run that holds node <c>node</c> and its last sign of life.</summary>
    public static string NodeRunHolderSql(string node) => $"SELECT run_id, seen_at FROM {NodesTable} WHERE node_id = {node}";

    /// <summary>Claimed → Claimed with the lease ended at <c>now</c> for every claim of node <c>node</c> still leased
    /// (<see cref="Core.Storage.TaskInstanceLifecycle.IsClaimOfEarlierRun"/>, <see cref="Core.Storage.TaskInstanceLifecycle.EndEarlierRunClaim"/>).</summary>
    public static string EndEarlierRunClaimsSql(string node, string now)
    {
        return $"UPDATE {InstancesTable} SET lease_expires_at = {now}, version = version + 1 " +
               $"WHERE status = {Of(State.Claimed)} AND lease_owner = {node} AND lease_expires_at > {now}";
    }

    /// <summary>Records a sign of life of run <c>run</c> of node <c>node</c> if that run holds it.</summary>
    public static string RefreshNodeRunSql(string node, string run, string now) =>
        $"UPDATE {NodesTable} SET seen_at = {now} WHERE node_id = {node} AND run_id = {run}";

    /// <summary>Removes run <c>run</c>'s record of node <c>node</c> if that run holds it.</summary>
    public static string EndNodeRunSql(string node, string run) => $"DELETE FROM {NodesTable} WHERE node_id = {node} AND run_id = {run}";

    /// <summary>
    /// Dispatched → Failed for up to <c>limit</c> instances whose last allowed attempt expired at <c>now</c>
    /// (<see cref="Core.Storage.TaskInstanceLifecycle.IsExpiredLastAttempt"/>), with the reason of
    /// <see cref="Core.Storage.TaskInstanceLifecycle.ExpiryReason"/>; returns their rows.
    /// </summary>
    public string DeadLetterExpiredSql(string now, string expiredReason, string notStartedReason, string limit)
    {
        var candidates = $"SELECT i.id FROM {InstancesTable} AS i WHERE i.status IN ({DueIndexStates}) AND i.due_at <= {now} AND i.status = {Of(State.Dispatched)} " +
                         $"AND i.attempt >= i.max_attempts ORDER BY i.due_at LIMIT {limit}{Lock}";
        return $"UPDATE {InstancesTable} SET status = {Of(State.Failed)}, due_at = NULL, failed_at = {now}, finished_at = {now}, " +
               $"last_error = CASE WHEN started_at IS NULL THEN {notStartedReason} ELSE {expiredReason} END, version = version + 1 WHERE id IN ({candidates}) RETURNING *";
    }

    /// <summary>
    /// One statement that claims up to <c>limit</c> instances and returns their rows (<see cref="Core.Storage.TaskInstanceLifecycle.Claim"/>):
    /// due ones from the due index (Scheduled within the horizon; Dispatched, expired, with attempts left) and lapsed claims from the lease index,
    /// earliest first. PostgreSQL locks the candidates with <c>FOR UPDATE SKIP LOCKED</c> so concurrent claimers take disjoint rows; CockroachDB
    /// locks them with <c>FOR UPDATE</c> (a conflict aborts with 40001 and is retried); SQLite runs it inside a write transaction, which excludes
    /// other writers. Claimed rows leave the due index. A lapsed claim keeps its reserved attempt number (and any start reported of it); the others take the next, not started.
    /// Without <paramref name="expiredAttempts"/> (workers' reports cannot reach the node) expired attempts are left alone.
    /// </summary>
    public string ClaimSql(string owner, string now, string horizon, string lease, string limit, bool expiredAttempts = true)
    {
        // The due index's and the lease index's predicates, repeated so every engine can prove the indexes apply.
        var expired = expiredAttempts ? $"(i.due_at <= {now} AND i.attempt < i.max_attempts)" : "1 = 0";
        var due = $"SELECT i.id, i.due_at AS k FROM {InstancesTable} AS i WHERE i.status IN ({DueIndexStates}) AND i.due_at <= {horizon} AND (i.status = {Of(State.Scheduled)} OR {expired}) ORDER BY i.due_at LIMIT {limit}{Lock}";
        var lapsed = $"SELECT i.id, i.lease_expires_at AS k FROM {InstancesTable} AS i WHERE i.status = {LeaseIndexState} AND i.lease_expires_at <= {now} ORDER BY i.lease_expires_at LIMIT {limit}{Lock}";
        var dueAt = $"CASE WHEN status = {Of(State.Dispatched)} THEN {now} ELSE due_at END";
        var max = IsSqlite ? "MAX" : "GREATEST";
        var claimed = Of(State.Claimed);
        return $"""
            WITH due AS ({due}), lapsed AS ({lapsed}), pick AS (SELECT id FROM (SELECT id, k FROM due UNION ALL SELECT id, k FROM lapsed) AS c ORDER BY k LIMIT {limit})
            UPDATE {InstancesTable} SET status = {claimed}, attempt = CASE WHEN status = {claimed} THEN attempt ELSE attempt + 1 END,
                started_at = CASE WHEN status = {claimed} THEN started_at ELSE NULL END, due_at = {dueAt}, lease_owner = {owner},
                lease_expires_at = {max}({dueAt}, {now}) + {lease}, version = version + 1
            WHERE id IN (SELECT id FROM pick) RETURNING *
            """;
    }

    /// <summary>Selects the definition <c>id</c> for a change and locks it (PostgreSQL and CockroachDB; SQLite holds the write lock already).</summary>
    public string DefinitionForUpdateSql(string id) =>
        $"SELECT * FROM {DefinitionsTable} WHERE id = {id}{(IsSqlite ? "" : " FOR UPDATE")}";

    /// <summary>Reads and locks the calendar named by parameter <c>name</c> (SQLite holds the database's write lock already).</summary>
    public string CalendarForUpdateSql(string name) =>
        $"SELECT * FROM {CalendarsTable} WHERE name = {name}{(IsSqlite ? "" : " FOR UPDATE")}";

    /// <summary>Reads and locks the definitions that are not cancelled and name the calendar given by parameter <c>name</c>.</summary>
    public string DefinitionsNamingCalendarSql(string name) =>
        $"SELECT * FROM {DefinitionsTable} WHERE calendar = {name} AND cancelled_at IS NULL{(IsSqlite ? "" : " FOR UPDATE")}";

    /// <summary>Deletes the definition's occurrences not begun (<see cref="Core.Storage.TaskInstanceLifecycle.IsNotBegun"/>) and returns their fire
    /// times, in a column named <c>Value</c>.</summary>
    public static string TakeBackSql(string definitionId) =>
        $"DELETE FROM {InstancesTable} WHERE definition_id = {definitionId} AND status IN ({In(State.Scheduled, State.Claimed)}) AND dispatched_at IS NULL AND last_error IS NULL RETURNING fire_time AS \"Value\"";

    /// <summary>The definitions whose metadata has the entry <c>key</c> (= <c>value</c> unless <c>value</c> is NULL), as a query EF can compose
    /// on: SQLite walks the JSON with <c>json_each</c>; PostgreSQL and CockroachDB read it as <c>jsonb</c>. Keys and values are parameters.</summary>
    public string DefinitionsWithMetadataSql(string key, string value) => IsSqlite
        ? $"SELECT d.* FROM {DefinitionsTable} AS d WHERE EXISTS (SELECT 1 FROM json_each(d.metadata) AS e WHERE e.key = {key} AND ({value} IS NULL OR e.value = {value}))"
        : $"SELECT d.* FROM {DefinitionsTable} AS d WHERE (d.metadata::jsonb) ->> {key} IS NOT NULL AND ({value} IS NULL OR (d.metadata::jsonb) ->> {key} = {value})";

    /// <summary>
    /// The activity of a cluster view as <see cref="Core.Storage.ActivityRow"/>s (columns Kind, Bucket, Count, TotalMs, MaxMs): one scan of the
    /// instances table, aggregated per kind and bucket, with the semantics of <see cref="Core.Storage.ClusterActivity.Rows"/>. <c>since</c> and
    /// <c>now</c> are instants, <c>bucket</c> the bucket width (SQLite: in ticks; PostgreSQL and CockroachDB: in seconds). Every branch casts
    /// its columns, since CockroachDB's UNION does not widen types.
    /// </summary>
    public string ActivitySql(string since, string now, string bucket)
    {
        string Bucket(string column) => IsSqlite
            ? $"CAST(({column} - {since}) / {bucket} AS bigint)"
            : $"CAST(floor(extract(epoch FROM ({column} - {since})) / {bucket}) AS bigint)";
        // An occurrence comes due at its fire time plus its jitter; lateness is measured from then.
        const string due = "(fire_time + jitter)";
        var lateness = IsSqlite ? $"CAST((dispatched_at - {due}) / 10000.0 AS double precision)"
            : $"CAST(extract(epoch FROM (dispatched_at - {due})) * 1000 AS double precision)";
        const string left = "COALESCE(dispatched_at, finished_at)";
        var leftAt = $"{(IsSqlite ? "MAX" : "GREATEST")}({left}, {due})";
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

    /// <summary>The updated row's id in the <c>RETURNING</c> clause of an <c>UPDATE … AS t … FROM o</c>: SQLite names only the target's
    /// columns there, unqualified; PostgreSQL needs <c>t.id</c>, since <c>o</c> has an <c>id</c> too.</summary>
    public string ReturningId => IsSqlite ? "id" : "t.id";

    private string Lock => Database switch
    {
        SchedulerDatabase.Postgres => " FOR UPDATE SKIP LOCKED",
        SchedulerDatabase.CockroachDb => " FOR UPDATE",
        _ => "",
    };

    /// <summary>Selects and locks due definitions for one materialize transaction: PostgreSQL skips rows another node is materializing,
    /// CockroachDB locks them (a concurrent materializer waits or retries), SQLite holds the database's write lock already.</summary>
    public string DueDefinitionsSql(string horizon, string limit)
    {
        var select = $"SELECT * FROM {DefinitionsTable} WHERE next_fire_time IS NOT NULL AND next_fire_time <= {horizon} AND paused_at IS NULL ORDER BY next_fire_time LIMIT {limit}";
        return Database switch
        {
            SchedulerDatabase.Postgres => select + " FOR UPDATE SKIP LOCKED",
            SchedulerDatabase.CockroachDb => select + " FOR UPDATE",
            _ => select,
        };
    }
}
