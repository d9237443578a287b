using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Scheduler.Core;
using Scheduler.Core.Storage;

namespace Scheduler.EntityFrameworkCore;

/// <summary>Chooses an EF Core task store on the <see cref="SchedulerBuilder"/>.</summary>
public static class EntityFrameworkCoreSchedulerBuilderExtensions
{
    /// <summary>
    /// Keeps tasks in a SQLite database file (the embedded default): registers <see cref="SchedulerDbContext"/>'s factory and
    /// <see cref="EfTaskStore{TContext}"/> as the <see cref="ITaskStore"/>. One process (or a few on one machine) per file: SQLite serializes writers.
    /// </summary>
    /// <param name="builder">The scheduler builder.</param>
    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string, e.g. <c>Data Source=scheduler.db</c>.</param>
    /// <param name="configure">Changes the store's options (schema migration at start, command timeout, retries).</param>
    /// <returns><paramref name="builder"/>, so calls chain.</returns>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty.</exception>
    public static SchedulerBuilder UseSqlite(this SchedulerBuilder builder, string connectionString, Action<EfTaskStoreOptions>? configure = null) =>
        builder.UseSchedulerDbContext(SchedulerDatabase.Sqlite, connectionString, configure);

    /// <summary>
    /// Keeps tasks in PostgreSQL through Npgsql: registers <see cref="SchedulerDbContext"/>'s factory and <see cref="EfTaskStore{TContext}"/> as the
    /// <see cref="ITaskStore"/>. Transactions run at ReadCommitted unless <see cref="EfTaskStoreOptions.IsolationLevel"/> says otherwise.
    /// </summary>
    /// <param name="builder">The scheduler builder.</param>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <param name="configure">Changes the store's options (schema migration at start, command timeout, isolation, retries).</param>
    /// <returns><paramref name="builder"/>, so calls chain.</returns>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty.</exception>
    public static SchedulerBuilder UsePostgres(this SchedulerBuilder builder, string connectionString, Action<EfTaskStoreOptions>? configure = null) =>
        builder.UseSchedulerDbContext(SchedulerDatabase.Postgres, connectionString, configure);

    /// <summary>
    /// Keeps tasks in CockroachDB through Npgsql (PostgreSQL wire protocol): the PostgreSQL schema with claims that do not rely on
    /// <c>SKIP LOCKED</c>, SERIALIZABLE transactions, each retried on SQLSTATE 40001.
    /// </summary>
    /// <param name="builder">The scheduler builder.</param>
    /// <param name="connectionString">An Npgsql connection string pointing at CockroachDB.</param>
    /// <param name="configure">Changes the store's options (schema migration at start, command timeout, retries).</param>
    /// <returns><paramref name="builder"/>, so calls chain.</returns>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty.</exception>
    public static SchedulerBuilder UseCockroachDb(this SchedulerBuilder builder, string connectionString, Action<EfTaskStoreOptions>? configure = null) =>
        builder.UseSchedulerDbContext(SchedulerDatabase.CockroachDb, connectionString, configure);

    /// <summary>
    /// Uses an application's own context as the store: its model must call <see cref="SchedulerModelBuilderExtensions.AddSchedulerEntities"/>,
    /// and the application registers its <see cref="IDbContextFactory{TContext}"/> (with a retrying execution strategy) itself.
    /// </summary>
    /// <typeparam name="TContext">The application's context.</typeparam>
    /// <param name="builder">The scheduler builder.</param>
    /// <param name="database">The engine the context talks to.</param>
    /// <param name="configure">Changes the store's options.</param>
    /// <returns><paramref name="builder"/>, so calls chain.</returns>
    public static SchedulerBuilder UseEntityFrameworkCore<TContext>(this SchedulerBuilder builder, SchedulerDatabase database,
        Action<EfTaskStoreOptions>? configure = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new EfTaskStoreOptions { Database = database };
        configure?.Invoke(options);
        if (options.MaxConnections is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(configure), options.MaxConnections,
                $"Store MaxConnections {options.MaxConnections} is out of range. Use 1 to 1000, at most the connection pool's size (default 20).");
        }

        var services = builder.Services;
        services.RemoveAll<ITaskStore>();
        services.AddSingleton(options);
        services.AddSingleton<EfTaskStore<TContext>>();
        services.AddSingleton<ITaskStore>(sp => sp.GetRequiredService<EfTaskStore<TContext>>());
        services.AddHostedService<SchedulerSchemaInitializer<TContext>>();

        return builder;
    }

    /// <summary>Configures <paramref name="optionsBuilder"/> for <paramref name="options"/>' engine: provider, command timeout and the retrying
    /// execution strategy; EF Core's logs of a failed attempt (transaction, command and query errors) are lowered to Debug, since the strategy
    /// retries it and what fails for good reaches the caller.</summary>
    /// <param name="optionsBuilder">The options builder of the context.</param>
    /// <param name="connectionString">The connection string.</param>
    /// <param name="options">The store's options.</param>
    /// <returns><paramref name="optionsBuilder"/>, so calls chain.</returns>
    public static DbContextOptionsBuilder UseSchedulerDatabase(this DbContextOptionsBuilder optionsBuilder, string connectionString, EfTaskStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(optionsBuilder);
        ArgumentNullException.ThrowIfNull(options);
        var timeout = options.CommandTimeout is { } t ? (int)Math.Ceiling(t.TotalSeconds) : (int?)null;
        if (options.Database == SchedulerDatabase.Sqlite)
        {
            optionsBuilder.UseSqlite(connectionString, sqlite => sqlite
                .CommandTimeout(timeout)
                .ExecutionStrategy(deps => new SqliteRetryingExecutionStrategy(deps, options.MaxRetryCount, options.MaxRetryDelay)));
            optionsBuilder.AddInterceptors(new SqliteBusyTimeoutInterceptor(options.CommandTimeout ?? TimeSpan.FromSeconds(30)));
        }
        else
        {
            optionsBuilder.UseNpgsql(connectionString, npgsql => npgsql
                .CommandTimeout(timeout)
                .ExecutionStrategy(deps => new PostgresRetryingExecutionStrategy(deps, options.MaxRetryCount, options.MaxRetryDelay)));
        }

        // Every store operation runs in the retrying execution strategy: a serialization conflict (40001, routine at SERIALIZABLE and on
        // CockroachDB) or a dropped connection is retried, and a failure that outlasts the retries reaches the caller, which logs it. EF
        // Core's own Error for each failed attempt would report every retried conflict as an error an operator must look at.
        optionsBuilder.ConfigureWarnings(w => w.Log(
            (RelationalEventId.TransactionError, LogLevel.Debug),
            (RelationalEventId.CommandError, LogLevel.Debug),
            (CoreEventId.QueryIterationFailed, LogLevel.Debug),
            (CoreEventId.SaveChangesFailed, LogLevel.Debug)));
        options.ConfigureDbContext?.Invoke(optionsBuilder);
        return optionsBuilder;
    }

    private static SchedulerBuilder UseSchedulerDbContext(this SchedulerBuilder builder, SchedulerDatabase database, string connectionString,
        Action<EfTaskStoreOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var options = new EfTaskStoreOptions { Database = database };
        configure?.Invoke(options);
        options.Database = database;
        builder.Services.AddDbContextFactory<SchedulerDbContext>(o => o.UseSchedulerDatabase(connectionString, options));
        return builder.UseEntityFrameworkCore<SchedulerDbContext>(database, o => CopyTo(options, o));
    }

    private static void CopyTo(EfTaskStoreOptions from, EfTaskStoreOptions to)
    {
        to.AutoMigrate = from.AutoMigrate;
        to.CommandTimeout = from.CommandTimeout;
        to.IsolationLevel = from.IsolationLevel;
        to.MaxRetryCount = from.MaxRetryCount;
        to.MaxRetryDelay = from.MaxRetryDelay;
        to.MaxConnections = from.MaxConnections;
        to.ConfigureDbContext = from.ConfigureDbContext;
    }
}
