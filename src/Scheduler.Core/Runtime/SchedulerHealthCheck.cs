using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Scheduler.Core.Runtime;

/// <summary>
/// The node's readiness, registered as the health check <c>scheduler</c> with the tag <c>ready</c>: unhealthy while sends to the broker are
/// failing (<see cref="RunnerLoop.SendsFailing"/>: the runner has released its claims and dispatches nothing until a probe send succeeds),
/// unhealthy also while the node's clock is further from the database's than <see cref="SchedulerOptions.MaxClockOffset"/>
/// (<see cref="RunnerLoop.ClockOutOfBounds"/>); healthy otherwise. Its data give the claims the node holds. Map it with ASP.NET Core's <c>MapHealthChecks</c>, or read it through
/// <see cref="HealthCheckService"/>.
/// </summary>
/// <remarks>The node's other readiness checks: <see cref="LoopsHealthCheck"/> (<c>scheduler-loops</c>), <see cref="StoreHealthCheck"/>
/// (<c>scheduler-store</c>) and, on MassTransit, the bus's own check (<c>masstransit-bus</c>), all tagged <see cref="ReadyTag"/>.</remarks>
internal sealed class SchedulerHealthCheck(RunnerLoop runner) : IHealthCheck
{
    /// <summary>The name the check is registered under: <c>scheduler</c>.</summary>
    public const string Name = "scheduler";

    /// <summary>The tag of every check that readiness (<c>/health/ready</c>) includes: <c>ready</c>.</summary>
    public const string ReadyTag = "ready";

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["claims"] = runner.ClaimCount, ["held"] = runner.HeldCount };
        if (runner.ClockOutOfBounds)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(
                "This node's clock is further from the database's than Scheduler:MaxClockOffset: the runner dispatches nothing until it is fixed.", data: data));
        }

        return Task.FromResult(runner.SendsFailing
            ? HealthCheckResult.Unhealthy("Sends to the broker are failing: the runner released its claims and dispatches nothing until a probe send succeeds.", data: data)
            : HealthCheckResult.Healthy("The runner dispatches.", data));
    }
}
