using System.Runtime.ExceptionServices;
using DbUp;
using DbUp.Engine;
using DbUp.Postgresql;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Scheduler.EntityFrameworkCore.Migrations;

/// <summary>
/// Creates and upgrades the scheduler's schema with the versioned SQL scripts embedded in this assembly (<c>Migrations/Postgres/*.sql</c>, also
/// for CockroachDB, and <c>Migrations/Sqlite/*.sql</c>), run by DbUp in name order and recorded in the table <c>scheduler_schema_versions</c>.
/// A database whose journal names a script this build does not know was migrated by a newer release: it is refused.
/// </summary>
/// <remarks>
/// <para>PostgreSQL and CockroachDB scripts run outside any transaction, one statement at a time: CockroachDB does not run schema changes inside
/// a transaction like PostgreSQL does (several in one transaction, or mixed with writes, can fail or commit halfway), so every statement is
/// written to be run again safely (<c>IF NOT EXISTS</c>) and a script interrupted halfway completes on the next run. SQLite scripts run in one
/// transaction each, with their journal entry.</para>
/// <para>No migration lock (CockroachDB has no advisory locks): several nodes may migrate at once. Their scripts are idempotent, the journal
/// ignores an entry written already, and a statement that lost a race with another migrator (PostgreSQL 23505 on <c>pg_type</c>, 42P07, 42710,
/// 42701, 40001; SQLite busy or a column added already), or a script that failed while another migrator journaled it, makes the whole run start
/// again, up to five times.</para>
/// </remarks>
public sealed partial class SchemaMigrator
{
    private const string ResourcePrefix = "Scheduler.EntityFrameworkCore.Migrations.";
    private static readonly TimeSpan[] RetryDelays =
        [TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)];

    private readonly SchedulerDatabase _database;
    private readonly string _connectionString;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly IReadOnlyList<SqlScript> _scripts;

    /// <summary>Creates a migrator for one database.</summary>
    /// <param name="database">The engine: PostgreSQL and CockroachDB share their scripts.</param>
    /// <param name="connectionString">An Npgsql connection string (PostgreSQL, CockroachDB) or a Microsoft.Data.Sqlite one (SQLite).</param>
    /// <param name="logger">Logs the scripts applied and lost races; optional.</param>
    /// <param name="timeProvider">The clock of the journal's <c>applied_at</c>; default <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty.</exception>
    public SchemaMigrator(SchedulerDatabase database, string connectionString, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _database = database;
        _connectionString = connectionString;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _scripts = LoadScripts(database);
    }

    /// <summary>This build's migration scripts for <paramref name="database"/>, by name (e.g. <c>0001_initial</c>), in the order they run.</summary>
    /// <param name="database">The engine.</param>
    /// <returns>The names; the last is the schema version this build expects.</returns>
    public static IReadOnlyList<string> ScriptNames(SchedulerDatabase database) => LoadScripts(database).Select(s => s.Name).ToList();

    /// <summary>The schema version this build expects: its last script's name.</summary>
    public string LatestVersion => _scripts[^1].Name;

    /// <summary>Reads the journal and compares it with this build's scripts; changes nothing (the journal table may not exist yet).</summary>
    /// <param name="cancellationToken">Stops waiting (the query itself runs to its end).</param>
    /// <returns>The applied, pending and unknown scripts.</returns>
    /// <exception cref="System.Data.Common.DbException">The database could not be reached or read.</exception>
    public Task<SchemaStatus> GetStatusAsync(CancellationToken cancellationToken = default) =>
        Task.Run(() => Status(BuildEngine()), cancellationToken);

    /// <summary>
    /// Runs the scripts the journal does not record yet, in name order, and journals each; on SQLite also switches the file to WAL mode. Safe
    /// to run from several processes at once, and again (nothing to do).
    /// </summary>
    /// <param name="cancellationToken">Stops between attempts (a script that started runs to its end).</param>
    /// <returns>The names of the scripts this call applied, in order; empty when the schema was current.</returns>
    /// <exception cref="SchemaVersionException">The database was migrated by a newer release (its journal names a script this build does not know).</exception>
    /// <exception cref="System.Data.Common.DbException">A script failed for another reason than a race with a concurrent migrator, or kept failing.</exception>
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        var applied = new List<string>();
        for (var attempt = 0; ; attempt++)
        {
            var engine = BuildEngine();
            var result = await Task.Run(() =>
            {
                var status = Status(engine);
                if (status.IsNewer)
                {
                    throw Newer(status);
                }

                if (_database == SchedulerDatabase.Sqlite)
                {
                    EnableWriteAheadLog();
                }

                return status.IsBehind ? engine.PerformUpgrade() : null;
            }, cancellationToken).ConfigureAwait(false);
            if (result is null)
            {
                return applied;
            }

            foreach (var script in result.Scripts)
            {
                applied.Add(script.Name);
                LogApplied(script.Name);
            }

            if (result.Successful)
            {
                return applied;
            }

            if (attempt < RetryDelays.Length && IsRace(result.Error, result.ErrorScript, engine))
            {
                LogRace(result.ErrorScript?.Name ?? "?", result.Error.Message);
                await Task.Delay(RetryDelays[attempt], _timeProvider, cancellationToken).ConfigureAwait(false);
                continue;
            }

            ExceptionDispatchInfo.Capture(result.Error).Throw();
        }
    }

    /// <summary>Checks that the schema is exactly this build's, without changing it (automatic migration off).</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="SchemaVersionException">The database is newer than this build, or scripts are pending (the message names
    /// <c>scheduler db migrate</c>).</exception>
    /// <exception cref="System.Data.Common.DbException">The database could not be reached or read.</exception>
    public async Task VerifyAsync(CancellationToken cancellationToken = default)
    {
        var status = await GetStatusAsync(cancellationToken).ConfigureAwait(false);
        if (status.IsNewer)
        {
            throw Newer(status);
        }

        if (status.IsBehind)
        {
            var provider = _database.ToString().ToLowerInvariant();
            throw new SchemaVersionException(
                $"The {_database} database's scheduler schema is at version {status.DatabaseVersion}; this node needs {LatestVersion} ({status.Pending.Count} script(s) pending: {string.Join(", ", status.Pending)}) " +
                $"and automatic migration is off. Run 'scheduler db migrate --provider {provider} --connection \"…\"', or turn Store:AutoMigrate (EfTaskStoreOptions.AutoMigrate) on.");
        }
    }

    private SchemaVersionException Newer(SchemaStatus status) => new(
        $"The {_database} database's scheduler schema is at version {status.Unknown[^1]}, newer than this build knows (latest {LatestVersion}): a newer release migrated it. " +
        "Upgrade this node (or tool) to that release or later; a schema is never migrated back.");

    private SchemaStatus Status(UpgradeEngine engine)
    {
        var applied = engine.GetExecutedScripts();
        var known = _scripts.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var unknown = applied.Where(a => !known.Contains(a)).ToList();
        var pending = _scripts.Select(s => s.Name).Where(n => !applied.Contains(n, StringComparer.Ordinal)).ToList();
        return new SchemaStatus(applied, pending, unknown);
    }

    private UpgradeEngine BuildEngine()
    {
        var builder = _database == SchedulerDatabase.Sqlite
            ? DeployChanges.To.SqliteDatabase(_connectionString).WithTransactionPerScript()
            // No schema argument: DbUp would run CREATE SCHEMA IF NOT EXISTS; the scripts use the connection's current schema.
            : DeployChanges.To.PostgresqlDatabase(new PostgresqlConnectionManager(_connectionString)).WithoutTransaction();
        return builder
            .JournalTo((connectionManager, _) => new SchemaVersionJournal(connectionManager, _database, _timeProvider))
            .WithScripts(_scripts)
            .WithVariablesDisabled()
            .LogToNowhere()
            .Build();
    }

    private void EnableWriteAheadLog()
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL";
        command.ExecuteNonQuery();
    }

    private static bool IsRace(Exception error, SqlScript? script, UpgradeEngine engine) =>
        error switch
        {
            PostgresException { SqlState: "23505" or "42P07" or "42710" or "42701" or "40001" } => true,
            SqliteException { SqliteErrorCode: 5 or 6 } => true,
            SqliteException sqlite when sqlite.Message.Contains("duplicate column name", StringComparison.OrdinalIgnoreCase) => true,
            _ => script is not null && engine.GetExecutedScripts().Contains(script.Name, StringComparer.Ordinal),
        };

    private static List<SqlScript> LoadScripts(SchedulerDatabase database)
    {
        var folder = ResourcePrefix + (database == SchedulerDatabase.Sqlite ? "Sqlite." : "Postgres.");
        var assembly = typeof(SchemaMigrator).Assembly;
        var scripts = new List<SqlScript>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(r => r.StartsWith(folder, StringComparison.Ordinal) && r.EndsWith(".sql", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            scripts.Add(new SqlScript(resource[folder.Length..^".sql".Length], reader.ReadToEnd()));
        }

        return scripts.OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied schema migration {Script}")]
    private partial void LogApplied(string script);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Another node is migrating the scheduler schema (script {Script}: {Message}); running the migration again")]
    private partial void LogRace(string script, string message);
}
