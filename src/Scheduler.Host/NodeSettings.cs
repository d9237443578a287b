using System.Data;

namespace Scheduler.Host;

/// <summary>Which message transport the node uses.</summary>
public enum TransportKind
{
    /// <summary>MassTransit's in-memory transport: one process only (tests, demos).</summary>
    InMemory,

    /// <summary>RabbitMQ.</summary>
    RabbitMq,
}

/// <summary>Which task store the node uses.</summary>
public enum StoreKind
{
    /// <summary>A SQLite file: the embedded default, one node.</summary>
    Sqlite,

    /// <summary>PostgreSQL: several nodes.</summary>
    Postgres,

    /// <summary>CockroachDB: several nodes, horizontal scale.</summary>
    CockroachDb,

    /// <summary>Process memory: nothing survives a restart.</summary>
    InMemory,
}

/// <summary>The <c>Transport</c> configuration section.</summary>
public sealed class TransportSettings
{
    /// <summary>The transport. <value>Default <see cref="TransportKind.RabbitMq"/>.</value></summary>
    public TransportKind Kind { get; set; } = TransportKind.RabbitMq;

    /// <summary>RabbitMQ settings, used when <see cref="Kind"/> is <see cref="TransportKind.RabbitMq"/>.</summary>
    public RabbitMqSettings RabbitMq { get; set; } = new();
}

/// <summary>The <c>Transport:RabbitMq</c> configuration section.</summary>
public sealed class RabbitMqSettings
{
    /// <summary>The broker, e.g. <c>amqp://guest:guest@127.0.0.1:5672/</c> (user, password and virtual host in the URI).</summary>
    public Uri Uri { get; set; } = new("amqp://guest:guest@127.0.0.1:5672/");

    /// <summary>Messages each receive endpoint fetches ahead. <value>Default 64.</value></summary>
    public int PrefetchCount { get; set; } = 64;

    /// <summary>
    /// The nodes of a RabbitMQ cluster, <c>host</c> or <c>host:port</c> each (e.g. <c>rabbit-1:5672</c>): every connection, and every
    /// reconnection after a node is lost, tries them in this order (MassTransit's cluster support), so the node fails over to a surviving
    /// broker node by itself. User, password and virtual host still come from <see cref="Uri"/>, whose host is then not contacted.
    /// <value>Default none: the host of <see cref="Uri"/> only.</value>
    /// </summary>
    public string[] ClusterNodes { get; set; } = [];

    /// <summary>
    /// The type of the queues the node declares (its command, saga and message scheduler queues). <value>Default
    /// <see cref="RabbitMqQueueType.Classic"/>.</value>
    /// </summary>
    /// <remarks>
    /// Quorum queues are replicated to the cluster's nodes (Raft) and keep working while a majority of them runs: the right type on a
    /// RabbitMQ cluster. Classic stays the default because a queue's type is fixed when it is first declared: a node declaring an existing
    /// classic queue as quorum (or the reverse) is refused by the broker, so switching an existing deployment needs its queues deleted or a
    /// new virtual host (docs/running.md, "A RabbitMQ cluster"); and on a single broker node quorum queues only add latency.
    /// </remarks>
    public RabbitMqQueueType QueueType { get; set; } = RabbitMqQueueType.Classic;
}

/// <summary>The type of the RabbitMQ queues a node or worker declares.</summary>
public enum RabbitMqQueueType
{
    /// <summary>Classic queues: on one broker node; lost to consumers while that node is down.</summary>
    Classic,

    /// <summary>Quorum queues (RabbitMQ 3.8+): replicated to the cluster's nodes, available while a majority of them runs.</summary>
    Quorum,
}

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

/// <summary>The <c>Host</c> configuration section: the node process itself.</summary>
public sealed class HostSettings
{
    /// <summary>The configuration section: <c>Host</c>.</summary>
    public const string SectionName = "Host";

    /// <summary>
    /// Longest the node may take to start: to reach the broker and the store, create its schema and start its bus. Past it the node stops
    /// with exit code 69 and one line naming what did not answer. <value>Default 60 seconds; 1 second to 1 hour.</value>
    /// </summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
