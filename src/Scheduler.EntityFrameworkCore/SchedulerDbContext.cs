using Microsoft.EntityFrameworkCore;
using Scheduler.Core.Definitions;

namespace Scheduler.EntityFrameworkCore;

/// <summary>The EF Core context of Scheduler's own tables; registered by <c>UseSqlite</c>, <c>UsePostgres</c> and <c>UseCockroachDb</c>.</summary>
/// <remarks>An application that wants the scheduler tables in its own context calls
/// <see cref="SchedulerModelBuilderExtensions.AddSchedulerEntities"/> from its <c>OnModelCreating</c> instead.</remarks>
public class SchedulerDbContext : DbContext
{
    /// <summary>Creates the context.</summary>
    /// <param name="options">The context's options; the provider (SQLite or Npgsql) picks the column mapping.</param>
    public SchedulerDbContext(DbContextOptions<SchedulerDbContext> options)
        : base(options)
    {
    }

    /// <summary>The task definitions (table <c>task_definitions</c>).</summary>
    public DbSet<TaskDefinition> TaskDefinitions => Set<TaskDefinition>();

    /// <summary>The task instances (table <c>task_instances</c>).</summary>
    public DbSet<TaskInstance> TaskInstances => Set<TaskInstance>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // PostgreSQL and CockroachDB share one mapping; only SQLite differs, and the provider tells which.
        modelBuilder.AddSchedulerEntities(Database.IsSqlite() ? SchedulerDatabase.Sqlite : SchedulerDatabase.Postgres);
    }
}
