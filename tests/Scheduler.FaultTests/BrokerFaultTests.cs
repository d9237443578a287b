using Xunit.Abstractions;

namespace Scheduler.FaultTests;

/// <summary>
/// Issue #18: the broker crashes, restarts or stops taking messages while tasks fall due and handlers run (500 ms handlers that heartbeat, and
/// ten of 30 s running when the fault begins). Afterwards every process consumes again by itself, every node is ready and dispatches new work
/// on time, every task completes, and only what the fault caught in flight may repeat.
/// </summary>
public sealed class BrokerFaultTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string> Handlers = new() { ["Worker:HandlerDelay"] = "00:00:00.500" };

    /// <remarks>
    /// The broker's Erlang VM is killed with SIGKILL (connections die without a close, handlers are cancelled mid-flight, the reports they were
    /// publishing never return) and started again on its data directory 45 s later: durable queues and persistent messages survive, what was
    /// unacknowledged is redelivered. While it is away the nodes report not ready (asserted).
    /// </remarks>
    [Fact]
    public async Task BrokerKilled_Down45s_EveryProcessConsumesAgainByItself_EveryTaskCompletes_OnlyWhatWasInFlightRepeats()
    {
        var sawNotReady = false;
        await FaultSystem.RunAcrossFaultAsync(output, "broker kill -9, down 45 s, restarted on its data", async system =>
        {
            await system.Broker.KillAsync();
            system.Log("broker killed (kill -9 of beam.smp); down for 45 s");
            var downUntil = FaultSystem.Now + TimeSpan.FromSeconds(45);
            while (FaultSystem.Now < downUntil)
            {
                sawNotReady |= !await system.IsReadyAsync("node-1") | !await system.IsReadyAsync("node-2");
                await Task.Delay(TimeSpan.FromMilliseconds(500));
            }

            await system.Broker.RestartAsync();
            system.Log("broker running again on its data");
        }, (_, window) => FaultAllowance.BrokerFault(window), Handlers);
        Assert.True(sawNotReady, "no node reported not ready (/health/ready 503) while the broker was down and tasks fell due");
    }

    /// <remarks><c>rabbitmqctl stop_app</c> closes every connection, <c>start_app</c> 15 s later lets them in again; three times within two
    /// minutes, so processes that are still reconnecting lose their connections again.</remarks>
    [Fact]
    public Task BrokerStoppedAndStartedThreeTimesInTwoMinutes_EveryProcessConsumesAgainByItself_EveryTaskCompletes_OnlyWhatWasInFlightRepeats() =>
        FaultSystem.RunAcrossFaultAsync(output, "broker stop_app 15 s / start_app, three times in two minutes", async system =>
        {
            for (var round = 1; round <= 3; round++)
            {
                await system.Broker.StopAppAsync();
                system.Log($"broker stopped (stop_app), round {round}");
                await Task.Delay(TimeSpan.FromSeconds(15));
                await system.Broker.StartAppAsync();
                system.Log($"broker started (start_app), round {round}");
                if (round < 3)
                {
                    await Task.Delay(TimeSpan.FromSeconds(20));
                }
            }
        }, (_, window) => FaultAllowance.BrokerFault(window), Handlers);

    /// <remarks>
    /// The broker's memory alarm (<c>set_vm_memory_high_watermark</c> to a tiny fraction) blocks every connection that publishes for 30 s:
    /// nothing is refused and nothing is closed, every publish — the nodes' <c>TaskDue</c>, the workers' reports, the replies — just hangs. Only
    /// the bounds on those calls keep the processes going; then the watermark goes back to RabbitMQ's default (0.4).
    /// </remarks>
    [Fact]
    public Task BrokerMemoryAlarmBlocksPublishersFor30s_EveryTaskCompletes_OnlyWhatWasInFlightRepeats() =>
        FaultSystem.RunAcrossFaultAsync(output, "broker memory alarm 30 s (publishers blocked)", async system =>
        {
            await system.Broker.SetMemoryHighWatermarkAsync(0.0000001);
            system.Log("memory alarm raised (vm_memory_high_watermark 1e-7): publishing connections blocked for 30 s");
            await Task.Delay(TimeSpan.FromSeconds(30));
            await system.Broker.SetMemoryHighWatermarkAsync(0.4);
            system.Log("memory alarm cleared (vm_memory_high_watermark 0.4)");
        }, (_, window) => FaultAllowance.BrokerFault(window), Handlers);
}
