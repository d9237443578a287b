using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;

namespace Scheduler.EntityFrameworkCore;

/// <summary>Migrates the scheduler schema (or, with <see cref="EfTaskStoreOptions.AutoMigrate"/> off, checks its version) while the host starts,
/// before any hosted service's <c>StartAsync</c>, so the loops find the tables.</summary>
/// <typeparam name="TContext">The store's context.</typeparam>
internal sealed class SchedulerSchemaInitializer<TContext>(EfTaskStore<TContext> store) : IHostedLifecycleService
    where TContext : DbContext
{
    public Task StartingAsync(CancellationToken cancellationToken) => store.EnsureSchemaAsync(cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
