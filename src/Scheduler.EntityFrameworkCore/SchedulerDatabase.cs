namespace Scheduler.EntityFrameworkCore;

/// <summary>The database engine a Scheduler EF Core store talks to; it picks the column types and the SQL dialect.</summary>
public enum SchedulerDatabase
{
    /// <summary>SQLite (embedded, one file): instants stored as UTC ticks (INTEGER), ids as TEXT. Writers are serialized by the file lock.</summary>
    Sqlite = 0,

    /// <summary>PostgreSQL through Npgsql: instants as <c>timestamptz</c> (microsecond precision), claims with <c>FOR UPDATE SKIP LOCKED</c>.</summary>
    Postgres = 1,

    /// <summary>CockroachDB through Npgsql: the PostgreSQL schema, claims without <c>SKIP LOCKED</c>, SERIALIZABLE transactions retried on SQLSTATE 40001.</summary>
    CockroachDb = 2,
}
