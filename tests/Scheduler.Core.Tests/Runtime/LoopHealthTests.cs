using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Scheduler.Core.Runtime;

namespace Scheduler.Core.Tests.Runtime;

/// <summary>
/// Readiness of the loops (<see cref="LoopsHealthCheck"/>): a loop that has not completed a tick for five of its intervals (at least 30 s)
/// makes the node not ready, naming the loop; a completed tick makes it ready again. Time is fake.
/// </summary>
public sealed class LoopHealthTests : IDisposable
{
    private readonly LoopFixture _f = new(o =>
    {
        o.PollInterval = TimeSpan.FromSeconds(1);
        o.CleanupInterval = TimeSpan.FromMinutes(1);
        o.ClockCheckInterval = TimeSpan.FromMinutes(2);
    });

    private readonly ClockAlignmentLoop _clockAlignment;

    public LoopHealthTests() =>
        _clockAlignment = new ClockAlignmentLoop(new SchedulerClock(_f.Time), _f.Store, _f.Options, _f.Time, NullLogger<ClockAlignmentLoop>.Instance);

    private Task<HealthCheckResult> CheckAsync() =>
        new LoopsHealthCheck(_f.SchedulerLoop, _f.Runner, _f.Cleanup, _clockAlignment).CheckHealthAsync(new HealthCheckContext());

    [Fact]
    public void StaleAfter_IsFiveIntervals_ButNeverUnderThirtySeconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), _f.SchedulerLoop.Heartbeat.StaleAfter); // 5 × 1 s is under the minimum
        Assert.Equal(TimeSpan.FromSeconds(30), _f.Runner.Heartbeat.StaleAfter);
        Assert.Equal(TimeSpan.FromMinutes(5), _f.Cleanup.Heartbeat.StaleAfter);
        Assert.Equal(TimeSpan.FromMinutes(10), _clockAlignment.Heartbeat.StaleAfter);
    }

    [Fact]
    public async Task CheckHealth_IsHealthy_WhenEveryLoopIsYoungerThanItsStaleAge()
    {
        _f.Time.Advance(TimeSpan.FromSeconds(30)); // exactly the stale age of the 1-second loops: not beyond it
        var result = await CheckAsync();
        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal(30.0, result.Data["runner-seconds-since-tick"]);
    }

    [Fact]
    public async Task CheckHealth_IsUnhealthyNamingTheStaleLoops_WhenTheyHaveNotTicked()
    {
        _f.Time.Advance(TimeSpan.FromSeconds(31));
        var result = await CheckAsync();
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("the scheduler loop has not completed a tick for 31 s", result.Description, StringComparison.Ordinal);
        Assert.Contains("the runner loop", result.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("cleanup", result.Description, StringComparison.Ordinal); // 5 minutes for a 1-minute interval
        Assert.DoesNotContain("clock-alignment", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckHealth_IsHealthyAgain_AfterTheStaleLoopsTick()
    {
        _f.Time.Advance(TimeSpan.FromSeconds(31));
        await _f.SchedulerLoop.RunOnceAsync();
        Assert.Contains("runner", (await CheckAsync()).Description, StringComparison.Ordinal);
        await _f.Runner.ClaimOnceAsync();
        Assert.Equal(_f.Time.GetUtcNow(), _f.Runner.Heartbeat.LastTickAt);
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync()).Status);
    }

    [Fact]
    public async Task CheckHealth_ReportsTheCleanupAndClockLoops_WhenTheyMissFiveOfTheirIntervals()
    {
        _f.Time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        await _f.SchedulerLoop.RunOnceAsync();
        await _f.Runner.ClaimOnceAsync();
        var result = await CheckAsync();
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("the cleanup loop has not completed a tick for 301 s (stale after 300 s)", result.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("clock-alignment", result.Description, StringComparison.Ordinal);

        await _f.Cleanup.RunOnceAsync();
        _f.Time.Advance(TimeSpan.FromMinutes(5));
        await _f.SchedulerLoop.RunOnceAsync();
        await _f.Runner.ClaimOnceAsync();
        await _f.Cleanup.RunOnceAsync();
        Assert.Contains("the clock-alignment loop has not completed a tick", (await CheckAsync()).Description, StringComparison.Ordinal);

        // The clock alignment loop ticks when it measures at start (the in-memory store has no clock of its own: still a completed tick).
        await _clockAlignment.StartAsync(CancellationToken.None);
        await _clockAlignment.StopAsync(CancellationToken.None);
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync()).Status);
    }

    public void Dispose()
    {
        _clockAlignment.Dispose();
        _f.Dispose();
    }
}
