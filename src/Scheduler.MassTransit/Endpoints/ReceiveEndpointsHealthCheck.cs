using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Scheduler.MassTransit.Endpoints;

/// <summary>
/// Readiness of a node or a worker service: unhealthy while any of its receive endpoints is not consuming (<see cref="ReceiveEndpointWatch"/>),
/// naming each with its state, since when and why. Registered as <c>scheduler-endpoints</c>, tagged <c>ready</c>.
/// </summary>
internal sealed class ReceiveEndpointsHealthCheck(ReceiveEndpointWatch watch, TimeProvider timeProvider) : IHealthCheck
{
    /// <summary>The check's name: <c>scheduler-endpoints</c>.</summary>
    public const string Name = "scheduler-endpoints";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow();
        var idle = watch.NotConsuming();
        return Task.FromResult(idle.Count == 0
            ? HealthCheckResult.Healthy("Every receive endpoint is consuming.")
            : HealthCheckResult.Unhealthy("Not consuming: " + string.Join("; ", idle.Select(e => e.Describe(now))) + "."));
    }
}
