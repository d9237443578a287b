namespace Scheduler.EntityFrameworkCore;

/// <summary>
/// What differs between SQLite, PostgreSQL and CockroachDB in the store's SQL: parameters, lock clauses, <c>RETURNING</c> of an
/// <c>UPDATE … FROM</c>. The statements themselves are written next to the transition they make, in the <see cref="EfTaskStore{TContext}"/>
/// file of the port that calls it (<c>EfTaskStore.Runner.cs</c>, <c>EfTaskStore.Outcomes.cs</c>, …).
/// </summary>
internal sealed class SqlDialect
{
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

    /// <summary>The updated row's id in the <c>RETURNING</c> clause of an <c>UPDATE … AS t … FROM o</c>: SQLite names only the target's
    /// columns there, unqualified; PostgreSQL needs <c>t.id</c>, since <c>o</c> has an <c>id</c> too.</summary>
    public string ReturningId => IsSqlite ? "id" : "t.id";

    /// <summary>The lock clause of a claim's candidate rows: PostgreSQL skips rows another transaction has locked, so concurrent claimers take
    /// disjoint rows; CockroachDB locks them (a conflict waits, or aborts with 40001 and is retried); SQLite needs none, since a write
    /// transaction holds the database's one write lock.</summary>
    public string Lock => Database switch
    {
        SchedulerDatabase.Postgres => " FOR UPDATE SKIP LOCKED",
        SchedulerDatabase.CockroachDb => " FOR UPDATE",
        _ => "",
    };

    /// <summary>The function of the greater of two values: <c>MAX</c> on SQLite (its two-argument scalar form), <c>GREATEST</c> elsewhere.</summary>
    public string Greatest => IsSqlite ? "MAX" : "GREATEST";

    /// <summary>The lock clause of a row read for a change in the same transaction (<c>FOR UPDATE</c>; SQLite holds the write lock already).</summary>
    public string ForUpdate => IsSqlite ? "" : " FOR UPDATE";
}
