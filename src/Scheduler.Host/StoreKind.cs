namespace Scheduler.Host;

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
