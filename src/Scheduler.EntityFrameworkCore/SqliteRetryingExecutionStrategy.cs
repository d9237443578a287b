using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Storage;

namespace Scheduler.EntityFrameworkCore;

/// <summary>Retries SQLite transactions that failed with SQLITE_BUSY (5) or SQLITE_LOCKED (6) after the busy timeout.</summary>
internal sealed class SqliteRetryingExecutionStrategy(ExecutionStrategyDependencies dependencies, int maxRetryCount, TimeSpan maxRetryDelay)
    : ExecutionStrategy(dependencies, maxRetryCount, maxRetryDelay)
{
    protected override bool ShouldRetryOn(Exception exception) => exception is SqliteException { SqliteErrorCode: 5 or 6 };

    protected override TimeSpan? GetNextDelay(Exception lastException) =>
        base.GetNextDelay(lastException) is null ? null : RetryDelay.Next(ExceptionsEncountered.Count, MaxRetryDelay);
}
