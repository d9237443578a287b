using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Scheduler.Core.Storage;

namespace Scheduler.Core.Runtime;

/// <summary>
/// Readiness of the task store, registered as the health check <c>scheduler-store</c> with the tag <c>ready</c>: one cheap query through the
/// store (<see cref="IRunnerStore.GetDefinitionsChangedSinceAsync"/> from now, an index look-up that finds nothing), healthy when it answers
/// within <see cref="Timeout"/>, unhealthy with the error when it fails or takes longer.
/// </summary>
internal sealed class StoreHealthCheck(IRunnerStore store, SchedulerClock clock) : IHealthCheck
{
    /// <summary>The name the check is registered under: <c>scheduler-store</c>.</summary>
    public const string Name = "scheduler-store";

    /// <summary>How long the store may take to answer: 5 seconds (wall-clock time; the store's own retries of a lost connection count).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(Timeout);
        try
        {
            await store.GetDefinitionsChangedSinceAsync(clock.GetUtcNow(), bounded.Token).WaitAsync(bounded.Token).ConfigureAwait(false);
            return HealthCheckResult.Healthy("The task store answers.");
        }
        catch (OperationCanceledException) when (bounded.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy(string.Create(CultureInfo.InvariantCulture,
                $"The task store did not answer within {Timeout.TotalSeconds:F0} s."));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"The task store cannot be reached: {ex.GetType().Name}: {ex.Message}", ex);
        }
    }
}
