using Xunit.Abstractions;

namespace Scheduler.FaultTests;

/// <summary>Issue #8: the broker goes away while tasks fall due, and comes back; every task completes, none is stranded.</summary>
public sealed class BrokerFaultTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(30);

    /// <remarks>
    /// <c>rabbitmqctl stop_app</c> closes every connection; durable queues and their unacknowledged messages come back with <c>start_app</c>,
    /// so a worker may receive again what it had received before the outage (at-least-once), and only such an in-flight instance.
    /// </remarks>
    [Fact]
    public Task BrokerStoppedFor30s_ThenStarted_EveryTaskCompletes_NoneStrandedEarlyOrOutOfOrder() =>
        FaultSystem.RunAcrossFaultAsync(output, "broker stop_app 30 s, start_app", async system =>
        {
            await system.Broker.StopAppAsync();
            system.Log($"broker stopped (stop_app returned); {Outage.TotalSeconds:F0} s outage");
            await Task.Delay(Outage);
            await system.Broker.StartAppAsync();
            return FaultAllowance.InFlight(sameAttemptMayRepeat: true);
        });

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
