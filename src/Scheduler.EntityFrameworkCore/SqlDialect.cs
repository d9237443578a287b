using System.Globalization;
using System.Text;
using static Scheduler.EntityFrameworkCore.SchedulerModelBuilderExtensions;

namespace Scheduler.EntityFrameworkCore;

/// <summary>The SQL that differs between SQLite, PostgreSQL and CockroachDB. Statuses: 0 Scheduled, 1 Dispatched, 2 Completed, 3 Failed, 4 Cancelled.</summary>
internal sealed class SqlDialect
{
    // {0} id type, {1} instant type, {2} duration type, {3} text type, {4} 32-bit integer type (CockroachDB's "integer" is 64-bit).
    private static readonly CompositeFormat SchemaTemplate = CompositeFormat.Parse("""
        CREATE TABLE IF NOT EXISTS task_definitions (
            id {0} NOT NULL PRIMARY KEY,
            trigger_kind {4} NOT NULL,
            trigger_expression {3} NOT NULL,
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
            version bigint NOT NULL
        );
        CREATE UNIQUE INDEX IF NOT EXISTS ux_task_definitions_idempotency_key ON task_definitions (idempotency_key) WHERE idempotency_key IS NOT NULL;
        CREATE INDEX IF NOT EXISTS ix_task_definitions_next_fire_time ON task_definitions (next_fire_time) WHERE next_fire_time IS NOT NULL;
        CREATE INDEX IF NOT EXISTS ix_task_definitions_cancelled_at ON task_definitions (cancelled_at) WHERE cancelled_at IS NOT NULL;
        CREATE TABLE IF NOT EXISTS task_instances (
            id {0} NOT NULL PRIMARY KEY,
            definition_id {0} NOT NULL REFERENCES task_definitions (id),
            fire_time {1} NOT NULL,
            status {4} NOT NULL,
            attempt {4} NOT NULL,
            due_at {1} NULL,
            expire_after {2} NOT NULL,
            retry {3} NOT NULL,
            lease_owner {3} NULL,
            lease_expires_at {1} NULL,
            dispatched_at {1} NULL,
            started_at {1} NULL,
            completed_at {1} NULL,
            failed_at {1} NULL,
            finished_at {1} NULL,
            last_error {3} NULL,
            version bigint NOT NULL
        );
        CREATE UNIQUE INDEX IF NOT EXISTS ux_task_instances_definition_fire_time ON task_instances (definition_id, fire_time);
        CREATE INDEX IF NOT EXISTS ix_task_instances_due_at ON task_instances (due_at) WHERE status IN (0, 1);
        CREATE INDEX IF NOT EXISTS ix_task_instances_finished_at ON task_instances (finished_at) WHERE finished_at IS NOT NULL
        """);

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
            ? string.Format(CultureInfo.InvariantCulture, SchemaTemplate, "TEXT", "INTEGER", "INTEGER", "TEXT", "INTEGER")
            : string.Format(CultureInfo.InvariantCulture, SchemaTemplate, "uuid", "timestamptz", "interval", "text", "int4");
        return sql.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>
    /// One statement that claims up to <c>limit</c> due instances and returns their rows: lease owner, lease expiry, reserved attempt and
    /// version change together. PostgreSQL locks the candidates with <c>FOR UPDATE SKIP LOCKED</c> so concurrent claimers take disjoint rows;
    /// CockroachDB updates with <c>ORDER BY … LIMIT</c> directly (conflicts abort with 40001 and are retried); SQLite runs the same
    /// conditional update inside a <c>BEGIN IMMEDIATE</c> transaction, which excludes other writers.
    /// </summary>
    public string ClaimSql(string owner, string now, string horizon, string lease, string limit)
    {
        // Scheduled within the horizon, or dispatched and expired; never while another node's lease runs. "status IN (0, 1)" repeats the
        // partial index's predicate so every engine can prove the index applies.
        var claimable = $"(i.lease_expires_at IS NULL OR i.lease_expires_at <= {now}) AND i.status IN (0, 1) AND i.due_at <= {horizon} AND (i.status = 0 OR i.due_at <= {now})";
        var set = $"attempt = attempt + 1, lease_owner = {owner}, lease_expires_at = {(IsSqlite ? "MAX" : "GREATEST")}(due_at, {now}) + {lease}, version = version + 1";
        return Database switch
        {
            SchedulerDatabase.CockroachDb => $"UPDATE {InstancesTable} AS i SET {set} WHERE {claimable} ORDER BY i.due_at LIMIT {limit} RETURNING *",
            SchedulerDatabase.Postgres => $"UPDATE {InstancesTable} SET {set} WHERE id IN (SELECT i.id FROM {InstancesTable} AS i WHERE {claimable} ORDER BY i.due_at LIMIT {limit} FOR UPDATE SKIP LOCKED) RETURNING *",
            _ => $"UPDATE {InstancesTable} SET {set} WHERE id IN (SELECT i.id FROM {InstancesTable} AS i WHERE {claimable} ORDER BY i.due_at LIMIT {limit}) RETURNING *",
        };
    }

    /// <summary>Selects and locks due definitions for one materialize transaction: PostgreSQL skips rows another node is materializing,
    /// CockroachDB locks them (a concurrent materializer waits or retries), SQLite holds the database's write lock already.</summary>
    public string DueDefinitionsSql(string horizon, string limit)
    {
        var select = $"SELECT * FROM {DefinitionsTable} WHERE next_fire_time IS NOT NULL AND next_fire_time <= {horizon} ORDER BY next_fire_time LIMIT {limit}";
        return Database switch
        {
            SchedulerDatabase.Postgres => select + " FOR UPDATE SKIP LOCKED",
            SchedulerDatabase.CockroachDb => select + " FOR UPDATE",
            _ => select,
        };
    }
}
