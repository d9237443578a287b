using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Scheduler.EntityFrameworkCore;

/// <summary>
/// Collects the parameters of one raw SQL statement, converted to the engine's column representation (SQLite: ticks and upper-case id text;
/// PostgreSQL/CockroachDB: typed <c>uuid</c>, <c>timestamptz</c>, <c>interval</c>). Each method returns the placeholder to put in the SQL text,
/// so values never end up in the SQL string.
/// </summary>
internal sealed class SqlArguments(SchedulerDatabase database)
{
    private readonly bool _sqlite = database == SchedulerDatabase.Sqlite;

    public List<DbParameter> Parameters { get; } = [];

    public string Id(Guid value) => Add(_sqlite ? SchedulerModelBuilderExtensions.SqliteId(value) : value, NpgsqlDbType.Uuid, SqliteType.Text);

    public string Time(DateTimeOffset? value) =>
        Add(_sqlite ? value?.UtcTicks : value?.ToUniversalTime(), NpgsqlDbType.TimestampTz, SqliteType.Integer);

    public string Duration(TimeSpan? value) => Add(_sqlite ? value?.Ticks : value, NpgsqlDbType.Interval, SqliteType.Integer);

    public string Int(long value) => Add(value, NpgsqlDbType.Bigint, SqliteType.Integer);

    public string Text(string? value) => Add(value, NpgsqlDbType.Text, SqliteType.Text);

    public string Double(double? value) => Add(value, NpgsqlDbType.Double, SqliteType.Real);

    public object[] ToArray() => [.. Parameters];

    private string Add(object? value, NpgsqlDbType postgresType, SqliteType sqliteType)
    {
        var name = "@p" + Parameters.Count.ToString(CultureInfo.InvariantCulture);
        Parameters.Add(_sqlite
            ? new SqliteParameter(name, sqliteType) { Value = value ?? DBNull.Value }
            : new NpgsqlParameter(name, postgresType) { Value = value ?? DBNull.Value });
        return name;
    }
}
