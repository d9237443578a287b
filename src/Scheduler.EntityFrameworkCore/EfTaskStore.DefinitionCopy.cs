using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Scheduler.Core.Definitions;
using static Scheduler.EntityFrameworkCore.SchedulerModelBuilderExtensions;

namespace Scheduler.EntityFrameworkCore;

/// <summary>Bulk intake of task definitions: the columns written, and PostgreSQL's binary <c>COPY</c> through a staging table.</summary>
public sealed partial class EfTaskStore<TContext>
{
    /// <summary>Candidates from which a PostgreSQL batch is stored with <see cref="CopyDefinitionsAsync"/>; smaller batches take the multi-row
    /// <c>INSERT</c>, which costs no staging table.</summary>
    private const int CopyThreshold = 100;

    /// <summary>The columns of a new definition, in the order both intake paths write them, each with its PostgreSQL type and its value.</summary>
    private static readonly (string Name, NpgsqlDbType Type, Func<TaskDefinition, object?> Value)[] DefinitionColumns =
    [
        ("id", NpgsqlDbType.Uuid, d => d.Id),
        ("trigger_kind", NpgsqlDbType.Integer, d => (int)d.TriggerKind),
        ("trigger_expression", NpgsqlDbType.Text, d => d.Trigger),
        ("trigger_phrase", NpgsqlDbType.Text, d => d.TriggerPhrase),
        ("time_zone_id", NpgsqlDbType.Text, d => d.TimeZoneId),
        ("start_at", NpgsqlDbType.TimestampTz, d => d.StartAt),
        ("metadata", NpgsqlDbType.Text, d => SerializeMetadata(d.Metadata)),
        ("payload", NpgsqlDbType.Text, d => d.Payload),
        ("expire_after", NpgsqlDbType.Interval, d => d.ExpireAfter),
        ("retry", NpgsqlDbType.Text, d => SerializeRetry(d.Retry)),
        ("misfire", NpgsqlDbType.Integer, d => (int)d.Misfire),
        ("destination_queue", NpgsqlDbType.Text, d => d.DestinationQueue),
        ("idempotency_key", NpgsqlDbType.Text, d => d.IdempotencyKey),
        ("created_at", NpgsqlDbType.TimestampTz, d => d.CreatedAt),
        ("next_fire_time", NpgsqlDbType.TimestampTz, d => d.NextFireTime),
        ("cancelled_at", NpgsqlDbType.TimestampTz, d => d.CancelledAt),
        ("version", NpgsqlDbType.Bigint, _ => 1L),
        ("overlap", NpgsqlDbType.Integer, d => (int)d.Overlap),
        ("paused_at", NpgsqlDbType.TimestampTz, d => d.PausedAt),
        ("changed_at", NpgsqlDbType.TimestampTz, d => d.ChangedAt),
        ("trace_parent", NpgsqlDbType.Text, d => d.TraceParent),
        ("jitter", NpgsqlDbType.Interval, d => d.Jitter),
        ("end_at", NpgsqlDbType.TimestampTz, d => d.EndAt),
        ("max_occurrences", NpgsqlDbType.Integer, d => d.MaxOccurrences),
        ("last_fire_time", NpgsqlDbType.TimestampTz, d => d.LastFireTime),
        ("calendar", NpgsqlDbType.Text, d => d.Calendar),
    ];

    private static readonly string DefinitionColumnList = string.Join(", ", DefinitionColumns.Select(c => c.Name));

    /// <summary>Whether this batch is stored with <see cref="CopyDefinitionsAsync"/>: on PostgreSQL only, from <see cref="CopyThreshold"/>
    /// candidates. CockroachDB accepts binary <c>COPY FROM STDIN</c>, but its temporary tables are experimental (off unless a session setting
    /// enables them), so it keeps the multi-row <c>INSERT</c>; SQLite has no <c>COPY</c>.</summary>
    private bool CopiesDefinitions(int candidates) => _dialect.Database == SchedulerDatabase.Postgres && candidates >= CopyThreshold;

    /// <summary>
    /// Stores <paramref name="definitions"/> (distinct ids and idempotency keys) in the context's transaction on PostgreSQL: binary
    /// <c>COPY</c> into a temporary table dropped at commit, then one <c>INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING id</c>, which
    /// skips a row that collides on any unique key exactly as the multi-row <c>INSERT</c> does. Returns the ids inserted.
    /// </summary>
    /// <remarks>The staging table is created in the transaction, so a retried transaction (40001) creates it anew; it holds no constraint,
    /// so the <c>COPY</c> itself never conflicts.</remarks>
    private static async Task<List<Guid>> CopyDefinitionsAsync(TContext context, IReadOnlyCollection<TaskDefinition> definitions, CancellationToken cancellationToken)
    {
        await context.Database.ExecuteSqlRawAsync(
            $"CREATE TEMPORARY TABLE scheduler_definitions_in (LIKE {DefinitionsTable} INCLUDING DEFAULTS) ON COMMIT DROP", cancellationToken).ConfigureAwait(false);
        var connection = (NpgsqlConnection)context.Database.GetDbConnection();
        var importer = await connection.BeginBinaryImportAsync(
            $"COPY scheduler_definitions_in ({DefinitionColumnList}) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
        await using (importer.ConfigureAwait(false))
        {
            foreach (var definition in definitions)
            {
                await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                foreach (var (_, type, value) in DefinitionColumns)
                {
                    switch (value(definition))
                    {
                        case null:
                            await importer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
                            break;
                        case DateTimeOffset time:
                            await importer.WriteAsync(time.ToUniversalTime(), type, cancellationToken).ConfigureAwait(false);
                            break;
                        case var other:
                            await importer.WriteAsync(other, type, cancellationToken).ConfigureAwait(false);
                            break;
                    }
                }
            }

            await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        var sql = $"""
            INSERT INTO {DefinitionsTable} ({DefinitionColumnList})
            SELECT {DefinitionColumnList} FROM scheduler_definitions_in
            ON CONFLICT DO NOTHING
            RETURNING id AS "Value"
            """;
        return await ReadIdsAsync(context, sql, new SqlArguments(SchedulerDatabase.Postgres), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The placeholder of one column's value in the multi-row <c>INSERT</c> (<see cref="DefinitionColumns"/>' order and values).</summary>
    private static string Argument(SqlArguments args, NpgsqlDbType type, object? value) => (type, value) switch
    {
        (_, null) when type is NpgsqlDbType.Integer or NpgsqlDbType.Bigint => "NULL",
        (NpgsqlDbType.Uuid, Guid id) => args.Id(id),
        (NpgsqlDbType.Integer or NpgsqlDbType.Bigint, _) => args.Int(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)),
        (NpgsqlDbType.TimestampTz, _) => args.Time((DateTimeOffset?)value),
        (NpgsqlDbType.Interval, _) => args.Duration((TimeSpan?)value),
        _ => args.Text((string?)value),
    };
}
