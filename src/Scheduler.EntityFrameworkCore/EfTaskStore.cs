using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;
using Scheduler.EntityFrameworkCore.Migrations;
using static Scheduler.EntityFrameworkCore.SchedulerModelBuilderExtensions;

namespace Scheduler.EntityFrameworkCore;

/// <summary>
/// An <see cref="ITaskStore"/> on EF Core over SQLite, PostgreSQL or CockroachDB. Each operation runs in one transaction, inside the context's
/// retrying execution strategy (the whole transaction is run again on SQLSTATE 40001 or SQLITE_BUSY). Claims, dispatch records and
/// releases are one set-based statement per batch; "now" always comes from the request, never from the database clock.
/// </summary>
/// <remarks>At most <see cref="EfTaskStoreOptions.MaxConnections"/> operations (so connections) run at once; the others wait for a slot.</remarks>
/// <typeparam name="TContext">A context whose model contains <see cref="SchedulerModelBuilderExtensions.AddSchedulerEntities"/>.</typeparam>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable",
    Justification = "The SemaphoreSlim allocates nothing to dispose unless its AvailableWaitHandle is read, which the store never does.")]
public sealed partial class EfTaskStore<TContext> : ITaskStore
    where TContext : DbContext
{
    // Rows per multi-row VALUES statement: at most 20 parameters per row stays below SQLite's 32,766 and PostgreSQL's 65,535 parameters.
    private const int RowsPerStatement = 1000;
    // Definitions per multi-row INSERT (26 parameters each). Fewer than RowsPerStatement: PostgreSQL's parse and planning time grows faster
    // than the row count for long VALUES lists; on a 2-core box 100-row statements stored 1,000 definitions faster than one 1,000-row one.
    private const int DefinitionsPerStatement = 100;

    private readonly IDbContextFactory<TContext> _contextFactory;
    private readonly EfTaskStoreOptions _options;
    private readonly SqlDialect _dialect;
    private readonly SemaphoreSlim _connections;
    private readonly ILogger _logger;
    private volatile bool _schemaCurrent; // set once EnsureSchemaAsync succeeded

    /// <summary>Creates the store.</summary>
    /// <param name="contextFactory">Creates one context per operation.</param>
    /// <param name="options">The store's settings; <see cref="EfTaskStoreOptions.Database"/> picks the SQL dialect.</param>
    /// <param name="logger">Logs the schema migrations applied; optional.</param>
    public EfTaskStore(IDbContextFactory<TContext> contextFactory, EfTaskStoreOptions options, ILogger<EfTaskStore<TContext>>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(contextFactory);
        ArgumentNullException.ThrowIfNull(options);
        _contextFactory = contextFactory;
        _options = options;
        _dialect = SqlDialect.For(options.Database);
        _connections = new SemaphoreSlim(options.MaxConnections, options.MaxConnections);
        _logger = logger ?? NullLogger<EfTaskStore<TContext>>.Instance;
    }

    /// <summary>
    /// Brings the schema to this build's version with <see cref="SchemaMigrator"/> (versioned scripts, journaled in
    /// <c>scheduler_schema_versions</c>; safe to run twice and from several nodes at once), or, when <see cref="EfTaskStoreOptions.AutoMigrate"/>
    /// is off, only checks that it is at this build's version.
    /// </summary>
    /// <exception cref="SchemaVersionException">The database was migrated by a newer release, or (automatic migration off) scripts are pending.</exception>
    /// <exception cref="System.Data.Common.DbException">The database rejected a script for another reason than a concurrent migrator, or kept failing.</exception>
    /// <exception cref="InvalidOperationException">The context has no connection string (an application's context built on a connection object).</exception>
    /// <remarks>Once it has succeeded, later calls on this store return at once (a node's start calls it twice: to join its cluster, and as
    /// its schema step).</remarks>
    public async Task EnsureSchemaAsync(CancellationToken cancellationToken = default)
    {
        if (_schemaCurrent)
        {
            return;
        }

        string connectionString;
        var context = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            connectionString = context.Database.GetConnectionString() ?? throw new InvalidOperationException(
                $"The store's context {typeof(TContext).Name} has no connection string, so its schema cannot be migrated. Configure the context with a connection string.");
        }

        var migrator = new SchemaMigrator(_options.Database, connectionString, _logger);
        if (_options.AutoMigrate)
        {
            await migrator.MigrateAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await migrator.VerifyAsync(cancellationToken).ConfigureAwait(false);
        }

        _schemaCurrent = true;
    }

    private static string Rows<T>(IEnumerable<T> items, Func<T, string> row)
    {
        var sql = new StringBuilder();
        foreach (var item in items)
        {
            sql.Append(sql.Length == 0 ? "(" : ", (").Append(row(item)).Append(')');
        }

        return sql.ToString();
    }

    private async Task<List<Guid>> InsertInstancesAsync(TContext context, IReadOnlyCollection<TaskInstance> instances, CancellationToken cancellationToken,
        string? conflictTarget = "(definition_id, fire_time)")
    {
        var args = _dialect.Arguments();
        var rows = Rows(instances, i => string.Join(", ",
            args.Id(i.Id), args.Id(i.DefinitionId), args.Time(i.FireTime), args.Int((int)i.Status), args.Int(i.Attempt), args.Time(i.DueAt),
            args.Duration(i.ExpireAfter), args.Text(SerializeRetry(i.Retry)), args.Int(i.MaxAttempts), args.Text(i.LeaseOwner),
            args.Time(i.LeaseExpiresAt), args.Time(i.DispatchedAt), args.Time(i.StartedAt), args.Time(i.CompletedAt), args.Time(i.ReportedCompletedAt),
            args.Time(i.FailedAt), args.Time(i.FinishedAt), args.Text(i.LastError), "1", args.Duration(i.Jitter)));
        var sql = $"""
            INSERT INTO {InstancesTable} (id, definition_id, fire_time, status, attempt, due_at, expire_after, retry, max_attempts, lease_owner,
                lease_expires_at, dispatched_at, started_at, completed_at, reported_completed_at, failed_at, finished_at, last_error, version, jitter)
            VALUES {rows}
            ON CONFLICT {conflictTarget} DO NOTHING
            RETURNING id AS "Value"
            """;
        return await ReadIdsAsync(context, sql, args, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a statement that returns ids (<c>RETURNING id</c>) in the context's transaction, through ADO.NET: its text changes with the batch
    /// size (one <c>VALUES</c> row per item), and EF's raw-SQL queries would compile a new query and shaper for every size they see.
    /// </summary>
    private static Task<List<Guid>> ReadIdsAsync(TContext context, string sql, SqlArguments args, CancellationToken cancellationToken) =>
        ReadAsync(context, sql, args, reader => reader.GetGuid(0), cancellationToken);

    /// <summary>Runs a statement through ADO.NET in the context's transaction, if it has one (see <see cref="ReadIdsAsync"/>), and reads each row
    /// with <paramref name="read"/>; opens the context's connection when nothing opened it yet (a read outside a transaction).</summary>
    private static async Task<List<T>> ReadAsync<T>(TContext context, string sql, SqlArguments args, Func<System.Data.Common.DbDataReader, T> read,
        CancellationToken cancellationToken)
    {
        await context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false); // EF counts it: closed with the context
        var command = context.Database.GetDbConnection().CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = sql;
            command.Transaction = context.Database.CurrentTransaction?.GetDbTransaction();
            if (context.Database.GetCommandTimeout() is { } timeout)
            {
                command.CommandTimeout = timeout;
            }

            command.Parameters.AddRange(args.ToArray());
            var rows = new List<T>();
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    rows.Add(read(reader));
                }
            }

            return rows;
        }
    }

    /// <summary>Runs <paramref name="work"/> in one transaction at the configured isolation level, the whole of it again when the execution
    /// strategy sees a transient failure (a fresh change tracker each time, so <paramref name="work"/> must not depend on earlier runs).</summary>
    private async Task<T> InTransactionAsync<T>(Func<TContext, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        return await WithContextAsync(async context =>
        {
            var strategy = context.Database.CreateExecutionStrategy();
            return await strategy.ExecuteAsync((context, work, isolation: _options.EffectiveIsolationLevel), static async (state, ct) =>
            {
                state.context.ChangeTracker.Clear();
                var transaction = await state.context.Database.BeginTransactionAsync(state.isolation, ct).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    var result = await state.work(state.context, ct).ConfigureAwait(false);
                    await transaction.CommitAsync(ct).ConfigureAwait(false);
                    return result;
                }
            }, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="read"/> with a context of its own and no transaction (a read: one statement, or a few that need not
    /// agree), holding one of the store's connection slots while it runs.</summary>
    private async Task<T> WithContextAsync<T>(Func<TContext, Task<T>> read, CancellationToken cancellationToken)
    {
        using var connection = await EnterAsync(cancellationToken).ConfigureAwait(false);
        var context = await _contextFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            return await read(context).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for one of the store's <see cref="EfTaskStoreOptions.MaxConnections"/> slots; every operation holds one while it has a
    /// context (so at most one connection) open, so the store never asks the pool or the server for more connections than that.</summary>
    private async Task<ConnectionSlot> EnterAsync(CancellationToken cancellationToken)
    {
        await _connections.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new ConnectionSlot(_connections);
    }

    private readonly struct ConnectionSlot(SemaphoreSlim connections) : IDisposable
    {
        public void Dispose() => connections.Release();
    }
}
