using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql.EntityFrameworkCore.PostgreSQL;

namespace Scheduler.EntityFrameworkCore;

/// <summary>
/// Npgsql's retrying strategy (connection failures, 40001 serialization_failure, 40P01 deadlock, and 40001 named explicitly) with short,
/// jittered delays: serialization conflicts between scheduler nodes clear in milliseconds, not in the seconds of EF's default backoff.
/// </summary>
internal sealed class PostgresRetryingExecutionStrategy(ExecutionStrategyDependencies dependencies, int maxRetryCount, TimeSpan maxRetryDelay)
    : NpgsqlRetryingExecutionStrategy(dependencies, maxRetryCount, maxRetryDelay, ["40001", "40P01"])
{
    protected override TimeSpan? GetNextDelay(Exception lastException) =>
        base.GetNextDelay(lastException) is null ? null : RetryDelay.Next(ExceptionsEncountered.Count, MaxRetryDelay);
}

/// <summary>Retries SQLite transactions that failed with SQLITE_BUSY (5) or SQLITE_LOCKED (6) after the busy timeout.</summary>
internal sealed class SqliteRetryingExecutionStrategy(ExecutionStrategyDependencies dependencies, int maxRetryCount, TimeSpan maxRetryDelay)
    : ExecutionStrategy(dependencies, maxRetryCount, maxRetryDelay)
{
    protected override bool ShouldRetryOn(Exception exception) => exception is SqliteException { SqliteErrorCode: 5 or 6 };

    protected override TimeSpan? GetNextDelay(Exception lastException) =>
        base.GetNextDelay(lastException) is null ? null : RetryDelay.Next(ExceptionsEncountered.Count, MaxRetryDelay);
}

internal static class RetryDelay
{
    /// <summary>5 ms doubling per failure, capped at <paramref name="max"/>, with ±50 % jitter so retrying nodes do not collide again.</summary>
    public static TimeSpan Next(int failures, TimeSpan max)
    {
        var delay = Math.Min(5 * Math.Pow(2, Math.Min(failures - 1, 16)), max.TotalMilliseconds);
#pragma warning disable CA5394 // Jitter needs no cryptographic randomness.
        return TimeSpan.FromMilliseconds(delay * (0.5 + Random.Shared.NextDouble()));
#pragma warning restore CA5394
    }
}
