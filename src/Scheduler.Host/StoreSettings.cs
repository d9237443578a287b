using System.Data;

namespace Scheduler.Host;

/// <summary>The <c>Store</c> configuration section.</summary>
public sealed class StoreSettings
{
    /// <summary>The store. <value>Default <see cref="StoreKind.Sqlite"/>.</value></summary>
    public StoreKind Kind { get; set; } = StoreKind.Sqlite;

    /// <summary>The ADO.NET connection string of the store's database. <value>Default for SQLite: <c>Data Source=scheduler.db</c>.</value></summary>
    public string? ConnectionString { get; set; }

    /// <summary>Transaction isolation level. <value>Default: the dialect's (ReadCommitted on PostgreSQL, Serializable on CockroachDB and SQLite).</value></summary>
    public IsolationLevel? IsolationLevel { get; set; }

    /// <summary>Most database connections the node uses at once (<c>EfTaskStoreOptions.MaxConnections</c>). <value>Default 20.</value></summary>
    public int? MaxConnections { get; set; }

    /// <summary>
    /// Whether the node migrates the schema to its version while it starts (<c>EfTaskStoreOptions.AutoMigrate</c>). When off, a database whose
    /// schema is behind makes the node refuse to start (exit code 2) naming <c>scheduler db migrate</c>. A database migrated by a newer release
    /// is refused either way. <value>Default <see langword="true"/>.</value>
    /// </summary>
    public bool AutoMigrate { get; set; } = true;
}
