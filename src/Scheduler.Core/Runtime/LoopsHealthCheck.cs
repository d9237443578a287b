using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Scheduler.Core.Runtime;

/// <summary>
/// Readiness of the node's loops, registered as the health check <c>scheduler-loops</c> with the tag <c>ready</c>: unhealthy while any of
/// the scheduler, runner, cleanup and clock alignment loops has not completed a tick for <see cref="LoopHeartbeat.StaleAfter"/> (five of its
/// intervals, at least 30 seconds) — it is stuck, or every tick fails (the store cannot be reached, say; the loop logs each failure).
/// Its data give each loop's seconds since its last completed tick.
/// </summary>
internal sealed class LoopsHealthCheck(SchedulerLoop scheduler, RunnerLoop runner, CleanupLoop cleanup, ClockAlignmentLoop clockAlignment) : IHealthCheck
{
    /// <summary>The name the check is registered under: <c>scheduler-loops</c>.</summary>
    public const string Name = "scheduler-loops";

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(Check([scheduler.Heartbeat, runner.Heartbeat, cleanup.Heartbeat, clockAlignment.Heartbeat]));

    /// <summary>The verdict over <paramref name="heartbeats"/>: unhealthy, naming the stale loops, when any is stale.</summary>
    internal static HealthCheckResult Check(IReadOnlyList<LoopHeartbeat> heartbeats)
    {
        var data = new Dictionary<string, object>();
        var stale = new List<string>();
        foreach (var heartbeat in heartbeats)
        {
            var age = heartbeat.Age;
            data[heartbeat.Loop + "-seconds-since-tick"] = Math.Round(age.TotalSeconds, 1);
            if (age > heartbeat.StaleAfter)
            {
                stale.Add(string.Create(CultureInfo.InvariantCulture,
                    $"the {heartbeat.Loop} loop has not completed a tick for {age.TotalSeconds:F0} s (stale after {heartbeat.StaleAfter.TotalSeconds:F0} s)"));
            }
        }

        return stale.Count == 0
            ? HealthCheckResult.Healthy("Every loop ticked recently.", data)
            : HealthCheckResult.Unhealthy(
                $"Not ready: {string.Join("; ", stale)}. A loop that keeps failing logs an error at each tick; look there for the cause.", data: data);
    }
}
