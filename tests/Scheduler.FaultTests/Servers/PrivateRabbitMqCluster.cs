using System.Globalization;
using System.Text.RegularExpressions;

namespace Scheduler.FaultTests.Servers;

/// <summary>
/// A three-node RabbitMQ cluster of one fault test, on loopback ports: each member a <see cref="PrivateRabbitMqNode"/> with its own node name
/// (<c>&lt;test&gt;-1@localhost</c> …), AMQP and distribution ports and data directory, all sharing one Erlang cookie; the second and third
/// join the first (<c>rabbitmqctl join_cluster</c>). Quorum queues declared on it are replicated to all three.
/// </summary>
internal sealed partial class PrivateRabbitMqCluster : IAsyncDisposable
{
    private PrivateRabbitMqCluster(IReadOnlyList<PrivateRabbitMqNode> nodes) => Nodes = nodes;

    /// <summary>The members, in the order clients list them (a client connects to the first one that answers).</summary>
    public IReadOnlyList<PrivateRabbitMqNode> Nodes { get; }

    /// <summary>The members as <c>Transport:RabbitMq:ClusterNodes</c> lists them: <c>127.0.0.1:port</c>, in order.</summary>
    public IReadOnlyList<string> ClusterNodes => [.. Nodes.Select(n => $"127.0.0.1:{n.AmqpPort}")];

    /// <summary>Starts three nodes, joins them into one cluster and waits until every member runs.</summary>
    public static async Task<PrivateRabbitMqCluster> StartAsync(FaultStateDirectory state, int size = 3)
    {
        var cookie = Guid.NewGuid().ToString("N");
        var starting = Enumerable.Range(1, size).Select(i => PrivateRabbitMqNode.StartAsync(state, i.ToString(CultureInfo.InvariantCulture), cookie)).ToList();
        try
        {
            await Task.WhenAll(starting);
        }
        catch
        {
            foreach (var node in starting.Where(s => s.IsCompletedSuccessfully))
            {
                await node.Result.DisposeAsync();
            }

            throw;
        }

        var cluster = new PrivateRabbitMqCluster([.. starting.Select(s => s.Result)]);
        try
        {
            foreach (var node in cluster.Nodes.Skip(1))
            {
                await node.ControlOutputAsync("stop_app");
                await node.ControlOutputAsync("join_cluster", cluster.Nodes[0].NodeName);
                await node.ControlOutputAsync("start_app");
                await node.ControlOutputAsync("await_startup");
            }

            var status = await cluster.Nodes[0].ControlOutputAsync("cluster_status", "--formatter", "json");
            var missing = cluster.Nodes.Where(n => !status.Contains($"\"{n.NodeName}\"", StringComparison.Ordinal)).Select(n => n.NodeName).ToList();
            if (missing.Count > 0)
            {
                throw new InvalidOperationException($"RabbitMQ nodes {string.Join(", ", missing)} did not join the cluster: {status}");
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>The member whose AMQP port is <paramref name="port"/>.</summary>
    public PrivateRabbitMqNode ByAmqpPort(int port) => Nodes.Single(n => n.AmqpPort == port);

    /// <summary>How many client connections each member holds, by node name, as <paramref name="ask"/> (a running member) lists them.</summary>
    public async Task<Dictionary<string, int>> ConnectionsPerNodeAsync(PrivateRabbitMqNode ask)
    {
        var output = await ask.ControlOutputAsync("-q", "list_connections", "--no-table-headers", "name");
        return ConnectionPort().Matches(output).GroupBy(m => ByAmqpPort(int.Parse(m.Groups["port"].Value, CultureInfo.InvariantCulture)).NodeName)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
    }

    /// <summary>The queues of the default virtual host with their type and consumer count, as <paramref name="ask"/> (a running member) lists them.</summary>
    public static async Task<IReadOnlyList<(string Name, string Type, int Consumers)>> QueuesAsync(PrivateRabbitMqNode ask)
    {
        var output = await ask.ControlOutputAsync("-q", "list_queues", "--no-table-headers", "name", "type", "consumers");
        return [.. output.Split('\n').Select(l => l.Split('\t')).Where(f => f.Length == 3 && int.TryParse(f[2], out _))
            .Select(f => (f[0], f[1], int.Parse(f[2], CultureInfo.InvariantCulture)))];
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes.Reverse())
        {
            await node.DisposeAsync();
        }
    }

    /// <summary>A connection's name as RabbitMQ lists it: <c>127.0.0.1:51234 -&gt; 127.0.0.1:5673</c> (the server's port last).</summary>
    [GeneratedRegex(@"-> [0-9.]+:(?<port>\d+)")]
    private static partial Regex ConnectionPort();
}
