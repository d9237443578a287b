using System.Globalization;
using System.Text;
using static Scheduler.EntityFrameworkCore.SchedulerModelBuilderExtensions;

namespace Scheduler.EntityFrameworkCore;

/// <summary>
/// The SQL that differs between SQLite, PostgreSQL and CockroachDB. Statuses: 0 Scheduled, 1 Dispatched, 2 Completed, 3 Failed, 4 Cancelled,
/// 5 Claimed, 6 Skipped. The predicates mirror <see cref="Core.Storage.TaskInstanceLifecycle"/>; the store contract tests hold both to one table.
/// </summary>
internal sealed class SqlDialect
{
    // {0} id type, {1} instant type, {2} duration type, {3} text type, {4} 32-bit integer type (CockroachDB's "integer" is 64-bit).
    private static readonly CompositeFormat SchemaTemplate = CompositeFormat.Parse("""
        CREATE TABLE IF NOT EXISTS task_definitions (
            id {0} NOT NULL PRIMARY KEY,
            trigger_kind {4} NOT NULL,
            trigger_expression {3} NOT NULL,
            trigger_phrase {3} NULL,
            time_zone_id {3} NOT NULL,
            start_at {1} NOT NULL,
            metadata {3} NOT NULL,
            payload {3} NULL,
            expire_after {2} NOT NULL,
            retry {3} NOT NULL,
            misfire {4} NOT NULL,
            destination_queue {3} NULL,
            idempotency_key {3} NULL,
            created_at {1} NOT NULL,
            next_fire_time {1} NULL,
            cancelled_at {1} NULL,
            version bigint NOT NULL,
            overlap {4} NOT NULL DEFAULT 0,
            paused_at {1} NULL,
            changed_at {1} NULL,
            trace_parent {3} NULL
        );
        CREATE UNIQUE INDEX IF NOT EXISTS ux_task_definitions_idempotency_key ON task_definitions (idempotency_key) WHERE idempotency_key IS NOT NULL;
        CREATE INDEX IF NOT EXISTS ix_task_definitions_next_fire_time ON task_definitions (next_fire_time) WHERE next_fire_time IS NOT NULL;
        CREATE INDEX IF NOT EXISTS ix_task_definitions_changed_at ON task_definitions (changed_at) WHERE changed_at IS NOT NULL;
        CREATE TABLE IF NOT EXISTS task_instances (
            id {0} NOT NULL PRIMARY KEY,
            definition_id {0} NOT NULL REFERENCES task_definitions (id),
            fire_time {1} NOT NULL,
            status {4} NOT NULL,
            attempt {4} NOT NULL,
            due_at {1} NULL,
            expire_after {2} NOT NULL,
            retry {3} NOT NULL,
            max_attempts {4} NOT NULL,
            lease_owner {3} NULL,
            lease_expires_at {1} NULL,
            dispatched_at {1} NULL,
            started_at {1} NULL,
            completed_at {1} NULL,
            reported_completed_at {1} NULL,
            failed_at {1} NULL,
            finished_at {1} NULL,
            last_error {3} NULL,
            version bigint NOT NULL
        );
        CREATE UNIQUE INDEX IF NOT EXISTS ux_task_instances_definition_fire_time ON task_instances (definition_id, fire_time);
        CREATE INDEX IF NOT EXISTS ix_task_instances_due_at ON task_instances (due_at) WHERE status IN (0, 1);
        CREATE INDEX IF NOT EXISTS ix_task_instances_lease_expires_at ON task_instances (lease_expires_at) WHERE status = 5;
        CREATE INDEX IF NOT EXISTS ix_task_instances_finished_at ON task_instances (finished_at) WHERE finished_at IS NOT NULL;
        {5}
        """);

    // {0} instant type, {1} text type, {2} 32-bit integer type.
    private static readonly CompositeFormat ClusterTableTemplate = CompositeFormat.Parse("""
        CREATE TABLE IF NOT EXISTS scheduler_cluster (
            id {2} NOT NULL PRIMARY KEY,
            cluster_name {1} NOT NULL,
            database_id {1} NOT NULL,
            created_at {0} NOT NULL
        )
        """);

    /// <summary>The one-row table that records who the database belongs to (<see cref="Core.Storage.ClusterIdentity"/>).</summary>
    public const string ClusterTable = "scheduler_cluster";

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

    /// <summary>The schema, one idempotent statement per element (no <c>DO $$</c> blocks, no transaction: CockroachDB-safe).</summary>
    public IReadOnlyList<string> SchemaStatements()
    {
        var sql = IsSqlite
            ? string.Format(CultureInfo.InvariantCulture, SchemaTemplate, "TEXT", "INTEGER", "INTEGER", "TEXT", "INTEGER", ClusterTableSql)
            : string.Format(CultureInfo.InvariantCulture, SchemaTemplate, "uuid", "timestamptz", "interval", "text", "int4", ClusterTableSql);
        return sql.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>Columns added since the first schema, each with the statement that adds it to a table created before it (the store runs it
    /// only when the column is missing). Instances stored before <c>max_attempts</c> existed get the default retry policy's 3.</summary>
    public IReadOnlyList<(string Column, string Statement)> UpgradeStatements() =>
    [
        ("max_attempts", $"ALTER TABLE {InstancesTable} ADD COLUMN max_attempts {(IsSqlite ? "INTEGER" : "int4")} NOT NULL DEFAULT 3"),
        ("reported_completed_at", $"ALTER TABLE {InstancesTable} ADD COLUMN reported_completed_at {(IsSqlite ? "INTEGER" : "timestamptz")} NULL"),
    ];

    /// <summary>As <see cref="UpgradeStatements"/>, for the task definitions table: <c>trigger_phrase</c> (the English phrase a task was
    /// scheduled with, for display; NULL for tasks stored before it, whose phrase is their trigger_expression); <c>overlap</c> (0, Skip, for
    /// tasks stored before it); <c>paused_at</c>; <c>changed_at</c> (when a task was last cancelled, paused, resumed or updated; runners look
    /// for changes by it, so it gets its index; <c>ix_task_definitions_cancelled_at</c>, which it replaces, is left in place on old databases);
    /// <c>trace_parent</c> (the W3C traceparent of the span that stored the task; NULL for tasks stored before it, whose dispatches start
    /// traces of their own).</summary>
    public IReadOnlyList<(string Column, string Statement)> DefinitionUpgradeStatements() =>
    [
        ("trigger_phrase", $"ALTER TABLE {DefinitionsTable} ADD COLUMN trigger_phrase {(IsSqlite ? "TEXT" : "text")} NULL"),
        ("overlap", $"ALTER TABLE {DefinitionsTable} ADD COLUMN overlap {(IsSqlite ? "INTEGER" : "int4")} NOT NULL DEFAULT 0"),
        ("paused_at", $"ALTER TABLE {DefinitionsTable} ADD COLUMN paused_at {(IsSqlite ? "INTEGER" : "timestamptz")} NULL"),
        ("changed_at", $"ALTER TABLE {DefinitionsTable} ADD COLUMN changed_at {(IsSqlite ? "INTEGER" : "timestamptz")} NULL"),
        ("trace_parent", $"ALTER TABLE {DefinitionsTable} ADD COLUMN trace_parent {(IsSqlite ? "TEXT" : "text")} NULL"),
    ];

    /// <summary>Indexes on columns added by the upgrade statements, created after them (idempotent).</summary>
    public static IReadOnlyList<string> UpgradeIndexStatements() =>
    [
        $"CREATE INDEX IF NOT EXISTS ix_task_definitions_changed_at ON {DefinitionsTable} (changed_at) WHERE changed_at IS NOT NULL",
    ];

    /// <summary>The owner table's idempotent creation, also run on its own before the owner is recorded (a node joins its cluster before the
    /// schema step).</summary>
    public string ClusterTableSql => IsSqlite
        ? string.Format(CultureInfo.InvariantCulture, ClusterTableTemplate, "INTEGER", "TEXT", "INTEGER")
        : string.Format(CultureInfo.InvariantCulture, ClusterTableTemplate, "timestamptz", "text", "int4");

    /// <summary>Records the owner in row 1 unless a row is there (any engine: <c>INSERT … ON CONFLICT DO NOTHING</c>, parameterized).</summary>
    public static string JoinClusterSql(string clusterName, string databaseId, string now) =>
        $"INSERT INTO {ClusterTable} (id, cluster_name, database_id, created_at) VALUES (1, {clusterName}, {databaseId}, {now}) ON CONFLICT (id) DO NOTHING";

    /// <summary>The recorded owner as one text value <c>cluster_name|database_id</c> in a column named <c>Value</c>.</summary>
    public static string ClusterOwnerSql => $"SELECT cluster_name || '|' || database_id AS \"Value\" FROM {ClusterTable} WHERE id = 1";

    /// <summary>The names of the task instances table's columns, one per row in a column named <c>Value</c>.</summary>
    public string InstanceColumnsSql => ColumnsSql(InstancesTable);

    /// <summary>The names of the task definitions table's columns, one per row in a column named <c>Value</c>.</summary>
    public string DefinitionColumnsSql => ColumnsSql(DefinitionsTable);

    private string ColumnsSql(string table) => IsSqlite
        ? $"SELECT name AS \"Value\" FROM pragma_table_info('{table}')"
        : $"SELECT column_name AS \"Value\" FROM information_schema.columns WHERE table_name = '{table}' AND table_schema = current_schema()";

    /// <summary>
    /// Dispatched → Failed for up to <c>limit</c> instances whose last allowed attempt expired at <c>now</c>
    /// (<see cref="Core.Storage.TaskInstanceLifecycle.IsExpiredLastAttempt"/>); returns their rows.
    /// </summary>
    public string DeadLetterExpiredSql(string now, string reason, string limit)
    {
        var candidates = $"SELECT i.id FROM {InstancesTable} AS i WHERE i.status IN (0, 1) AND i.due_at <= {now} AND i.status = 1 AND i.attempt >= i.max_attempts ORDER BY i.due_at LIMIT {limit}{Lock}";
        return $"UPDATE {InstancesTable} SET status = 3, due_at = NULL, failed_at = {now}, finished_at = {now}, last_error = {reason}, version = version + 1 WHERE id IN ({candidates}) RETURNING *";
    }

    /// <summary>
    /// One statement that claims up to <c>limit</c> instances and returns their rows (<see cref="Core.Storage.TaskInstanceLifecycle.Claim"/>):
    /// due ones from the due index (Scheduled within the horizon; Dispatched, expired, with attempts left) and lapsed claims from the lease index,
    /// earliest first. PostgreSQL locks the candidates with <c>FOR UPDATE SKIP LOCKED</c> so concurrent claimers take disjoint rows; CockroachDB
    /// locks them with <c>FOR UPDATE</c> (a conflict aborts with 40001 and is retried); SQLite runs it inside a write transaction, which excludes
    /// other writers. Claimed rows (status 5) leave the due index. A lapsed claim keeps its reserved attempt number; the others take the next.
    /// </summary>
    public string ClaimSql(string owner, string now, string horizon, string lease, string limit)
    {
        // "status IN (0, 1)" repeats the partial index's predicate so every engine can prove the index applies.
        var due = $"SELECT i.id, i.due_at AS k FROM {InstancesTable} AS i WHERE i.status IN (0, 1) AND i.due_at <= {horizon} AND (i.status = 0 OR (i.due_at <= {now} AND i.attempt < i.max_attempts)) ORDER BY i.due_at LIMIT {limit}{Lock}";
        var lapsed = $"SELECT i.id, i.lease_expires_at AS k FROM {InstancesTable} AS i WHERE i.status = 5 AND i.lease_expires_at <= {now} ORDER BY i.lease_expires_at LIMIT {limit}{Lock}";
        var dueAt = $"CASE WHEN status = 1 THEN {now} ELSE due_at END";
        var max = IsSqlite ? "MAX" : "GREATEST";
        return $"""
            WITH due AS ({due}), lapsed AS ({lapsed}), pick AS (SELECT id FROM (SELECT id, k FROM due UNION ALL SELECT id, k FROM lapsed) AS c ORDER BY k LIMIT {limit})
            UPDATE {InstancesTable} SET status = 5, attempt = CASE WHEN status = 5 THEN attempt ELSE attempt + 1 END, due_at = {dueAt}, lease_owner = {owner},
                lease_expires_at = {max}({dueAt}, {now}) + {lease}, version = version + 1
            WHERE id IN (SELECT id FROM pick) RETURNING *
            """;
    }

    /// <summary>Selects the definition <c>id</c> for a change and locks it (PostgreSQL and CockroachDB; SQLite holds the write lock already).</summary>
    public string DefinitionForUpdateSql(string id) =>
        $"SELECT * FROM {DefinitionsTable} WHERE id = {id}{(IsSqlite ? "" : " FOR UPDATE")}";

    /// <summary>Deletes the definition's occurrences not begun (<see cref="Core.Storage.TaskInstanceLifecycle.IsNotBegun"/>) and returns their fire
    /// times, in a column named <c>Value</c>.</summary>
    public static string TakeBackSql(string definitionId) =>
        $"DELETE FROM {InstancesTable} WHERE definition_id = {definitionId} AND status IN (0, 5) AND dispatched_at IS NULL AND last_error IS NULL RETURNING fire_time AS \"Value\"";

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
        var lateness = IsSqlite ? "CAST((dispatched_at - fire_time) / 10000.0 AS double precision)"
            : "CAST(extract(epoch FROM (dispatched_at - fire_time)) * 1000 AS double precision)";
        const string left = "COALESCE(dispatched_at, finished_at)";
        var leftAt = $"{(IsSqlite ? "MAX" : "GREATEST")}({left}, fire_time)";
        string Row(int kind, string bucketExpression, string ms, string where) =>
            $"SELECT CAST({kind} AS bigint) AS kind, {bucketExpression} AS bucket, {ms} AS ms FROM {InstancesTable} WHERE {where}";
        const string zero = "CAST(0 AS double precision)";
        string InRange(string column) => $"{column} >= {since} AND {column} < {now}";
        return $"""
            SELECT kind AS "Kind", bucket AS "Bucket", COUNT(*) AS "Count", CAST(COALESCE(SUM(ms), 0) AS double precision) AS "TotalMs",
                CAST(COALESCE(MAX(ms), 0) AS double precision) AS "MaxMs"
            FROM (
                {Row(0, Bucket("completed_at"), zero, InRange("completed_at"))}
                UNION ALL {Row(1, Bucket("failed_at"), zero, "status = 3 AND " + InRange("failed_at"))}
                UNION ALL {Row(2, Bucket("dispatched_at"), lateness, "attempt = 1 AND " + InRange("dispatched_at"))}
                UNION ALL {Row(3, Bucket("fire_time"), zero, "attempt <= 1 AND " + InRange("fire_time"))}
                UNION ALL {Row(4, Bucket(leftAt), zero, $"attempt <= 1 AND {left} IS NOT NULL AND " + InRange(leftAt))}
                UNION ALL {Row(5, "CAST(-1 AS bigint)", zero, $"attempt <= 1 AND fire_time < {since} AND ({left} IS NULL OR {left} >= {since})")}
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
