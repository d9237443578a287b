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
