using System.Data;
using DbUp.Engine;
using DbUp.Engine.Transactions;

namespace Scheduler.EntityFrameworkCore.Migrations;

/// <summary>
/// DbUp's journal, replaced: the table <c>scheduler_schema_versions</c> (<c>script_name</c> primary key, <c>applied_at</c> UTC) instead of DbUp's
/// <c>schemaversions</c>.
/// </summary>
/// <remarks>
/// DbUp's own PostgreSQL journal is not safe for us: its key is a <c>serial</c> column (on CockroachDB a <c>unique_rowid()</c>, not a sequence;
/// our schema has no sequences), nothing makes a script name unique (two nodes migrating at once would both journal a script), it is created
/// by a <c>CREATE TABLE</c> after an existence check (two nodes race, one fails with 42P07), and <c>applied</c> is the node's local time. Here the
/// table is created with <c>IF NOT EXISTS</c>, the script name is the key and the entry is written with <c>ON CONFLICT DO NOTHING</c>, so a
/// script journaled by a concurrent migrator is not an error, and <c>applied_at</c> is a UTC instant from the migrator's <see cref="TimeProvider"/>.
/// </remarks>
internal sealed class SchemaVersionJournal(Func<IConnectionManager> connectionManager, SchedulerDatabase database, TimeProvider timeProvider) : IJournal
{
    /// <summary>The journal table.</summary>
    public const string Table = "scheduler_schema_versions";

    private bool IsSqlite => database == SchedulerDatabase.Sqlite;

    public string[] GetExecutedScripts() => connectionManager().ExecuteCommandsWithManagedConnection(commandFactory =>
    {
        using (var exists = commandFactory())
        {
            exists.CommandText = IsSqlite
                ? $"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{Table}'"
                : $"SELECT COUNT(*) FROM information_schema.tables WHERE table_name = '{Table}' AND table_schema = current_schema()";
            if (Convert.ToInt64(exists.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                return Array.Empty<string>();
            }
        }

        using var select = commandFactory();
        select.CommandText = $"SELECT script_name FROM {Table} ORDER BY script_name";
        using var reader = select.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names.ToArray();
    });

    public void StoreExecutedScript(SqlScript script, Func<IDbCommand> dbCommandFactory)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(dbCommandFactory);
        EnsureTableExistsAndIsLatestVersion(dbCommandFactory);
        using var insert = dbCommandFactory();
        insert.CommandText = $"INSERT INTO {Table} (script_name, applied_at) VALUES (@script_name, @applied_at) ON CONFLICT (script_name) DO NOTHING";
        Add(insert, "script_name", script.Name);
        var now = timeProvider.GetUtcNow();
        Add(insert, "applied_at", IsSqlite ? now.UtcTicks : now);
        insert.ExecuteNonQuery();
    }

    public void EnsureTableExistsAndIsLatestVersion(Func<IDbCommand> dbCommandFactory)
    {
        ArgumentNullException.ThrowIfNull(dbCommandFactory);
        using var create = dbCommandFactory();
        create.CommandText = $"CREATE TABLE IF NOT EXISTS {Table} (script_name {(IsSqlite ? "TEXT" : "text")} NOT NULL PRIMARY KEY, applied_at {(IsSqlite ? "INTEGER" : "timestamptz")} NOT NULL)";
        create.ExecuteNonQuery();
    }

    private static void Add(IDbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
