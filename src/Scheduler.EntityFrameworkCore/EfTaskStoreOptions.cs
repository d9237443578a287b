using System.Data;
using Microsoft.EntityFrameworkCore;

namespace Scheduler.EntityFrameworkCore;

/// <summary>Settings of the EF Core task store, set through the configure callback of <c>UseSqlite</c>, <c>UsePostgres</c> or <c>UseCockroachDb</c>.</summary>
public sealed class EfTaskStoreOptions
{
    /// <summary>The database engine. Set by the <c>Use…</c> call; change it only when registering your own DbContext.</summary>
    public SchedulerDatabase Database { get; set; }

    /// <summary>
    /// Whether the node migrates the schema to this build's version while it starts, before the scheduler loops run (versioned scripts,
    /// <c>Scheduler.EntityFrameworkCore.Migrations.SchemaMigrator</c>). When off, the node only checks the version and refuses to start
    /// (<c>SchemaVersionException</c>) while scripts are pending: run <c>scheduler db migrate</c> first. Either way a database migrated by a
    /// newer release is refused. <value>Default <see langword="true"/>.</value>
    /// </summary>
    public bool AutoMigrate { get; set; } = true;

    /// <summary>
    /// Most database connections the store uses at once: every store operation holds one of these slots while it runs, and waits for one when
    /// all are taken, so however many messages the node processes concurrently, it never opens more connections than this (nor asks the
    /// connection pool for more, which would fail with "The operation has timed out"). Keep it at or below the connection string's pool size
    /// (Npgsql's <c>Maximum Pool Size</c>, default 100); with <c>max_connections</c> 100 on a stock PostgreSQL (97 after the superuser
    /// reserve), four nodes fit at the default. <value>Default 20; 1 to 1,000.</value>
    /// </summary>
    public int MaxConnections { get; set; } = 20;

    /// <summary>Timeout of each SQL command; <see langword="null"/> keeps the provider's default (30 seconds).</summary>
    public TimeSpan? CommandTimeout { get; set; }

    /// <summary>
    /// Isolation level of the store's transactions; <see langword="null"/> picks the engine's default: ReadCommitted on PostgreSQL,
    /// Serializable on CockroachDB and SQLite (SQLite always serializes writers; its transactions start with <c>BEGIN IMMEDIATE</c>).
    /// </summary>
    public IsolationLevel? IsolationLevel { get; set; }

    /// <summary>How often a transaction that failed transiently (SQLSTATE 40001, 40P01, connection loss; SQLITE_BUSY) is run again. <value>Default 10.</value></summary>
    public int MaxRetryCount { get; set; } = 10;

    /// <summary>Upper bound of the delay between two runs of a failed transaction. <value>Default 1 second.</value></summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Further configuration of the store's <see cref="DbContextOptionsBuilder"/> (logging, interceptors), applied last.</summary>
    public Action<DbContextOptionsBuilder>? ConfigureDbContext { get; set; }

    /// <summary>The isolation level the store uses: <see cref="IsolationLevel"/> or the engine's default.</summary>
    public IsolationLevel EffectiveIsolationLevel => IsolationLevel ?? (Database == SchedulerDatabase.Postgres
        ? System.Data.IsolationLevel.ReadCommitted
        : System.Data.IsolationLevel.Serializable);
}
