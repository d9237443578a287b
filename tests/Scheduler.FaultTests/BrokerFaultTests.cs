using Xunit.Abstractions;

namespace Scheduler.FaultTests;

/// <summary>Issue #8: the broker goes away while tasks fall due, and comes back; every task completes, none is stranded.</summary>
public sealed class BrokerFaultTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(30);

    /// <remarks>
    /// <c>rabbitmqctl stop_app</c> closes every connection; durable queues and their unacknowledged messages come back with <c>start_app</c>,
    /// so a worker may receive again what it had received before the outage (at-least-once), and only such an in-flight instance. While the
    /// broker is away the nodes' sends fail, so they report not ready (<c>/health/ready</c> 503); they are ready again by themselves after it.
    /// </remarks>
    [Fact]
    public async Task BrokerStoppedFor30s_ThenStarted_EveryTaskCompletes_NoneStrandedEarlyOrOutOfOrder()
    {
        var sawNotReady = false;
        await FaultSystem.RunAcrossFaultAsync(output, "broker stop_app 30 s, start_app", async system =>
        {
            await system.Broker.StopAppAsync();
            system.Log($"broker stopped (stop_app returned); {Outage.TotalSeconds:F0} s outage");
            var outageEnds = FaultSystem.Now + Outage;
            while (FaultSystem.Now < outageEnds)
            {
                sawNotReady |= !await system.IsReadyAsync("node-1") | !await system.IsReadyAsync("node-2");
                await Task.Delay(TimeSpan.FromMilliseconds(500));
            }

            await system.Broker.StartAppAsync();
            var deadline = FaultSystem.Now + FaultSystem.SettleLimit;
            while (!(await system.IsReadyAsync("node-1") && await system.IsReadyAsync("node-2")))
            {
                Assert.True(FaultSystem.Now < deadline, "the nodes did not report ready again after the broker came back");
                await Task.Delay(TimeSpan.FromMilliseconds(500));
            }

            system.Log("both nodes ready again");
            return FaultAllowance.InFlight(sameAttemptMayRepeat: true);
        });
        Assert.True(sawNotReady, "no node reported not ready (/health/ready 503) while the broker was stopped and tasks fell due");
    }

    /// <remarks>
    /// The broker's Erlang VM is killed with SIGKILL and the node is started again on the same data directory: persistent messages in durable
    /// queues survive, those in flight may be redelivered (at-least-once), and the nodes and workers must reconnect by themselves.
    /// </remarks>
    [Fact]
    public Task BrokerKilled_ThenRestartedOnItsData_EveryTaskCompletes_NoneStrandedEarlyOrOutOfOrder() =>
        FaultSystem.RunAcrossFaultAsync(output, "broker kill -9, restart on its data", async system =>
        {
            await system.Broker.KillAsync();
            system.Log("broker killed (kill -9 of beam.smp); restarting it on its data directory");
            await system.Broker.RestartAsync();
            return FaultAllowance.InFlight(sameAttemptMayRepeat: true);
        });
}
