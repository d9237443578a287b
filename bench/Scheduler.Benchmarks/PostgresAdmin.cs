using Npgsql;

namespace Scheduler.Benchmarks;

/// <summary>Creates and drops the benchmark's databases on the server named by the base connection string.</summary>
internal static class PostgresAdmin
{
    /// <summary>The base connection string with its database replaced by <paramref name="database"/>.</summary>
    public static string WithDatabase(string connectionString, string database) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Database = database }.ConnectionString;

    /// <summary>Drops <paramref name="database"/> (closing its connections) and creates it empty; returns its connection string.</summary>
    public static async Task<string> RecreateAsync(string connectionString, string database, CancellationToken cancellationToken)
    {
        NpgsqlConnection.ClearAllPools();
        await using (var admin = new NpgsqlConnection(WithDatabase(connectionString, "postgres")))
        {
            await admin.OpenAsync(cancellationToken);
            await ThrowIfInUseAsync(admin, database, cancellationToken);
            await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", cancellationToken);
            await ExecuteAsync(admin, $"CREATE DATABASE \"{database}\"", cancellationToken);
        }

        return WithDatabase(connectionString, database);
    }

    /// <summary>Fails when another session uses one of <paramref name="databases"/>: another run of the benchmark with the same --instance,
    /// whose databases (and RabbitMQ virtual host) this run would otherwise drop under it.</summary>
    public static async Task ThrowIfInUseAsync(string connectionString, IEnumerable<string> databases, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(databases);
        await using var admin = new NpgsqlConnection(WithDatabase(connectionString, "postgres"));
        await admin.OpenAsync(cancellationToken);
        foreach (var database in databases)
        {
            await ThrowIfInUseAsync(admin, database, cancellationToken);
        }
    }

    private static async Task ThrowIfInUseAsync(NpgsqlConnection admin, string database, CancellationToken cancellationToken)
    {
        await using var sessions = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = @db AND pid <> pg_backend_pid()", admin);
        sessions.Parameters.AddWithValue("db", database);
        if ((long)(await sessions.ExecuteScalarAsync(cancellationToken))! > 0)
        {
            throw new InvalidOperationException(
                $"Database '{database}' is in use by another session (another benchmark run?). Wait for it, or pass --instance NAME to use other databases.");
        }
    }

    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
#pragma warning disable CA2100 // the benchmark's own SQL and database names, no user input
        await using var command = new NpgsqlCommand(sql, connection);
#pragma warning restore CA2100
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, sql, cancellationToken);
    }

    /// <summary>Runs a query returning one value and reads it.</summary>
    public static async Task<T> ScalarAsync<T>(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
#pragma warning disable CA2100 // the benchmark's own SQL
        await using var command = new NpgsqlCommand(sql, connection);
#pragma warning restore CA2100
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Runs a query returning (count, max timestamp) and reads it.</summary>
    public static async Task<CompletionSnapshot> ReadCountAndMaxAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
#pragma warning disable CA2100 // the benchmark's own SQL
        await using var command = new NpgsqlCommand(sql, connection);
#pragma warning restore CA2100
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var count = (int)reader.GetInt64(0);
        DateTimeOffset? max = null;
        if (!reader.IsDBNull(1))
        {
            var value = reader.GetValue(1);
            max = value switch
            {
                DateTimeOffset dto => dto,
                DateTime dt => new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)), // timestamp without time zone, written in UTC
                _ => throw new InvalidOperationException($"Unexpected completion column type {value.GetType()}."),
            };
        }

        return new CompletionSnapshot(count, max);
    }

    public static async Task<string> ServerVersionAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(WithDatabase(connectionString, "postgres"));
        await connection.OpenAsync(cancellationToken);
        return connection.PostgreSqlVersion.ToString();
    }
}
