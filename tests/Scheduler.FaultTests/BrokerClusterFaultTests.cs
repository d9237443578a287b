using Scheduler.FaultTests.Servers;
using Xunit.Abstractions;

namespace Scheduler.FaultTests;

/// <summary>
/// Issue #21: a three-node RabbitMQ cluster with quorum queues (<see cref="PrivateRabbitMqCluster"/>) loses the node every client is
/// connected to while tasks fall due; it stays down until the nodes and workers have failed over to the survivors by themselves. Then it
/// comes back, and the member the clients failed over to is killed in turn and restarted (a majority of the members runs throughout).
/// </summary>
public sealed class BrokerClusterFaultTests(ITestOutputHelper output)
{
    /// <summary>
    /// How long after a broker node's loss every consumer of the nodes' and workers' queues is back on a surviving member, and the nodes
    /// report ready: docs/guarantees.md states this bound. Measured values are printed; the bound holds on a loaded 2-core machine.
    /// </summary>
    private static readonly TimeSpan FailoverBound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ConnectedBrokerNodeKilledForGood_ThenASecondRestarted_EveryTaskCompletes_ConsumersFailOverWithinTheBound()
    {
        await using var system = await FaultSystem.StartAsync(output, brokerCluster: true);
        var cluster = system.BrokerCluster;
        var (victim, second, witness) = (cluster.Nodes[0], cluster.Nodes[1], cluster.Nodes[2]);

        // Every queue of the nodes and workers is a quorum queue with its consumers; every client is connected to the first member.
        // The nodes' endpoints start consuming just after their host reports started (a quorum queue's declaration forms its Raft group).
        var queues = await PrivateRabbitMqCluster.QueuesAsync(witness);
        for (var wait = 0; wait < 120 && queues.Any(q => q.Type == "quorum" && q.Consumers < 2); wait++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            queues = await PrivateRabbitMqCluster.QueuesAsync(witness);
        }

        system.Log($"queues: {string.Join(", ", queues.Select(q => $"{q.Name} {q.Type} ({q.Consumers})"))}");
        var consumed = queues.Where(q => q.Consumers > 0 && q.Type != "classic").ToList();
        Assert.Contains(consumed, q => q.Name == FaultSystem.WorkerQueue && q.Type == "quorum" && q.Consumers == 2);
        Assert.Contains(consumed, q => q.Name == "scheduler-task-instance" && q.Type == "quorum" && q.Consumers == 2);
        var unexpected = queues.Where(q => q.Consumers > 0 && q.Type == "classic" && !q.Name.Contains("_bus_", StringComparison.Ordinal)).ToList();
        Assert.True(unexpected.Count == 0, $"consumed classic queues: {string.Join(", ", unexpected)}");
        system.Log($"quorum queues with consumers: {string.Join(", ", consumed.Select(q => $"{q.Name} ({q.Consumers})"))}");

        var schedule = await system.ScheduleAcrossFaultAsync();
        await FaultSystem.DelayUntilAsync(schedule.FaultStart);
        var connections = await cluster.ConnectionsPerNodeAsync(witness);
        system.Log($"connections per broker node: {string.Join(", ", connections.Select(c => $"{c.Key} {c.Value}"))}");
        Assert.True(connections.Keys.SequenceEqual([victim.NodeName]), $"every client connected to {victim.NodeName}, the first listed");

        await using var window = await FaultWindow.OpenAsync(system);
        var faultStart = FaultSystem.Now;
        system.Log($"fault: kill -9 of broker node {victim.NodeName}, kept down until every client has failed over");
        await victim.KillAsync();
        var failover = await WaitForFailoverAsync(system, consumed, witness);
        system.Log($"consumers back on the surviving nodes and both nodes ready {failover.TotalSeconds:F1} s after the kill");
        Assert.True(failover <= FailoverBound, $"failover took {failover.TotalSeconds:F1} s, more than the documented {FailoverBound.TotalSeconds:F0} s");
        connections = await cluster.ConnectionsPerNodeAsync(witness);
        system.Log($"connections per broker node: {string.Join(", ", connections.Select(c => $"{c.Key} {c.Value}"))}");

        // The lost node comes back (it rejoins from its data directory); then the node the clients failed over to is killed and restarted,
        // as in a rolling restart: a majority of the members runs throughout.
        await victim.RestartAsync();
        system.Log($"{victim.NodeName} restarted on its data and rejoined; fault: kill -9 of broker node {second.NodeName}, then restart on its data");
        await second.KillAsync();
        var recovery = await WaitForFailoverAsync(system, consumed, witness);
        system.Log($"consumers back and both nodes ready {recovery.TotalSeconds:F1} s after the kill of {second.NodeName}");
        await second.RestartAsync();
        system.Log($"{second.NodeName} restarted on its data and rejoined");
        Assert.True(recovery <= FailoverBound, $"the second failover took {recovery.TotalSeconds:F1} s, more than the documented {FailoverBound.TotalSeconds:F0} s");
        var faultEnd = FaultSystem.Now;
        await window.CloseAsync();

        await system.WaitUntilFinalAsync(schedule.TaskIds, schedule.LastDue);
        await FaultVerdict.VerifyAsync(system, new FaultExpectation("broker cluster: connected node kill -9, then restarted; the next connected node kill -9, then restarted",
            schedule.TaskIds, faultStart, faultEnd, FaultAllowance.BrokerFault(window))
        {
            RecoveredAt = faultEnd,
        }, output);
    }

    /// <summary>
    /// Waits until every queue of <paramref name="consumed"/> has its consumers again and both scheduler nodes answer ready, and returns how
    /// long that took; fails past <see cref="FaultSystem.SettleLimit"/>.
    /// </summary>
    private static async Task<TimeSpan> WaitForFailoverAsync(FaultSystem system, IReadOnlyList<(string Name, string Type, int Consumers)> consumed,
        PrivateRabbitMqNode witness)
    {
        var start = TimeProvider.System.GetTimestamp();
        while (true)
        {
            var queues = await PrivateRabbitMqCluster.QueuesAsync(witness);
            var back = consumed.All(c => queues.Any(q => q.Name == c.Name && q.Consumers >= c.Consumers));
            if (back && await IsReadyAsync(system, "node-1") && await IsReadyAsync(system, "node-2"))
            {
                return TimeProvider.System.GetElapsedTime(start);
            }

            Assert.True(TimeProvider.System.GetElapsedTime(start) < FaultSystem.SettleLimit,
                "consumers or readiness not back: " + string.Join(", ", consumed.Select(c => $"{c.Name} {queues.FirstOrDefault(q => q.Name == c.Name).Consumers}/{c.Consumers}")));
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
    }

    private static async Task<bool> IsReadyAsync(FaultSystem system, string node)
    {
        try
        {
            return await system.IsReadyAsync(node);
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }
}
