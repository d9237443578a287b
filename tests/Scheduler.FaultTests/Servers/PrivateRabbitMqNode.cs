using System.Diagnostics;
using System.Globalization;

namespace Scheduler.FaultTests.Servers;

/// <summary>
/// A RabbitMQ node of one fault test, beside any other on this machine: its own node name, AMQP and distribution ports (on 127.0.0.1 only),
/// Erlang cookie, data, log and configuration files under the test's directory, no plugins. The test stops, kills and restarts it; the node
/// restarted after a kill keeps its data directory (durable queues and persistent messages survive, as in production).
/// </summary>
internal sealed class PrivateRabbitMqNode : IAsyncDisposable
{
    private const string ServerScript = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    private const string ControlScript = "/usr/lib/rabbitmq/bin/rabbitmqctl";
    private static readonly TimeSpan BootTimeout = TimeSpan.FromMinutes(2);
    private readonly string _directory;
    private readonly Dictionary<string, string> _environment;
    private Process? _server;

    private PrivateRabbitMqNode(FaultStateDirectory state, string? member, string? cookieValue)
    {
        _directory = Path.Combine(state.Path, member is null ? "rabbitmq" : "rabbitmq-" + member);
        Directory.CreateDirectory(_directory);
        NodeName = state.Name + (member is null ? "" : "-" + member) + "@localhost";
        AmqpPort = Shell.FreePort();
        var distributionPort = Shell.FreePort();
        var cookie = Path.Combine(_directory, ".erlang.cookie");
        File.WriteAllText(cookie, cookieValue ?? Guid.NewGuid().ToString("N"));
        File.SetUnixFileMode(cookie, UnixFileMode.UserRead);
        File.WriteAllText(Path.Combine(_directory, "enabled_plugins"), "[].");
        File.WriteAllText(Path.Combine(_directory, "rabbitmq.conf"), "");
        File.WriteAllText(Path.Combine(_directory, "rabbitmq-env.conf"), "");
        _environment = new Dictionary<string, string>
        {
            ["HOME"] = _directory, // the Erlang cookie of this node and of the rabbitmqctl calls that administer it
            ["RABBITMQ_NODENAME"] = NodeName,
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = AmqpPort.ToString(CultureInfo.InvariantCulture),
            ["RABBITMQ_DIST_PORT"] = distributionPort.ToString(CultureInfo.InvariantCulture),
            ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(_directory, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(_directory, "log"),
            ["RABBITMQ_PID_FILE"] = PidFile,
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(_directory, "enabled_plugins"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(_directory, "rabbitmq.conf"),
            ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(_directory, "rabbitmq-env.conf"),
        };
    }

    public string NodeName { get; }

    public int AmqpPort { get; }

    /// <summary>The broker's default virtual host as user guest (allowed from 127.0.0.1).</summary>
    public Uri Uri => new($"amqp://guest:guest@127.0.0.1:{AmqpPort}/");

    private string PidFile => Path.Combine(_directory, "rabbitmq.pid");

    /// <summary>
    /// Starts the node and waits until it accepts connections. A member of a cluster (<see cref="PrivateRabbitMqCluster"/>) passes its
    /// <paramref name="member"/> name (a suffix of the node name and data directory) and the cluster's shared Erlang <paramref name="cookie"/>.
    /// </summary>
    public static async Task<PrivateRabbitMqNode> StartAsync(FaultStateDirectory state, string? member = null, string? cookie = null)
    {
        if (!File.Exists(ServerScript))
        {
            throw new InvalidOperationException($"The fault tests run their own RabbitMQ node and need {ServerScript} (Debian's rabbitmq-server " +
                "package; scripts/services.sh installs it).");
        }

        var node = new PrivateRabbitMqNode(state, member, cookie);
        try
        {
            await node.BootAsync();
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }

        return node;
    }

    /// <summary><c>rabbitmqctl stop_app</c>: the broker closes every connection and accepts none until <see cref="StartAppAsync"/>.</summary>
    public Task StopAppAsync() => ControlAsync("stop_app");

    /// <summary><c>rabbitmqctl start_app</c>, then waits until the broker accepts connections again.</summary>
    public async Task StartAppAsync()
    {
        await ControlAsync("start_app");
        await ControlAsync("await_startup");
    }

    /// <summary>Kills the node's Erlang VM (beam.smp) with SIGKILL: no connection is closed cleanly, nothing is flushed.</summary>
    public async Task KillAsync()
    {
        var pid = int.Parse(await File.ReadAllTextAsync(PidFile), CultureInfo.InvariantCulture);
        await Shell.KillAsync(pid);
        if (_server is not null)
        {
            await _server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        // The node's name is free again once epmd noticed the VM's connection close.
        var deadline = TimeProvider.System.GetTimestamp();
        while ((await Shell.RunAsync(["epmd", "-names"], check: false)).Output.Contains($"name {NodeName[..NodeName.IndexOf('@', StringComparison.Ordinal)]} ", StringComparison.Ordinal))
        {
            if (TimeProvider.System.GetElapsedTime(deadline) > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"epmd still lists {NodeName} 30 s after its VM was killed.");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>
    /// <c>rabbitmqctl set_vm_memory_high_watermark</c>: with a tiny fraction the broker raises its memory alarm and blocks every connection
    /// that publishes (consumers still receive, but nothing published gets in) until the watermark is raised again (0.4 is the default).
    /// </summary>
    public Task SetMemoryHighWatermarkAsync(double fraction) =>
        ControlAsync(["set_vm_memory_high_watermark", fraction.ToString("0.##########", CultureInfo.InvariantCulture)]);

    /// <summary>Runs <c>rabbitmqctl <paramref name="command"/></c> against this node (e.g. <c>join_cluster</c>, <c>list_queues</c>) and returns its output.</summary>
    public async Task<string> ControlOutputAsync(params string[] command) => (await ControlAsync(command)).Output;

    /// <summary>Every queue of the default virtual host with its consumer count and its ready and unacknowledged messages.</summary>
    public async Task<IReadOnlyList<(string Name, int Consumers, int Ready, int Unacknowledged)>> ListQueuesAsync()
    {
        var (_, output) = await ControlAsync(["list_queues", "-q", "--no-table-headers", "name", "consumers", "messages_ready", "messages_unacknowledged"]);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('\t'))
            .Where(f => f.Length == 4)
            .Select(f => (f[0], int.Parse(f[1], CultureInfo.InvariantCulture), int.Parse(f[2], CultureInfo.InvariantCulture), int.Parse(f[3], CultureInfo.InvariantCulture)))
            .ToList();
    }

    /// <summary>Starts the node again on the same data directory and ports (after <see cref="KillAsync"/>) and waits until it accepts connections.</summary>
    public Task RestartAsync() => BootAsync();

    public async ValueTask DisposeAsync()
    {
        if (_server is { HasExited: false })
        {
            try
            {
                await ControlAsync("stop", TimeSpan.FromSeconds(30));
                await _server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
            {
                if (File.Exists(PidFile) && int.TryParse(await File.ReadAllTextAsync(PidFile), out var pid))
                {
                    await Shell.KillAsync(pid);
                }

                _server.Kill(entireProcessTree: true);
            }
        }

        _server?.Dispose();
    }

    /// <summary>The last lines of the node's console output, to explain a failure.</summary>
    public string LogTail(int lines = 30)
    {
        var log = Path.Combine(_directory, "server.log");
        return File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(lines)) : "";
    }

    private async Task BootAsync()
    {
        File.Delete(PidFile);
        _server?.Dispose();
        _server = Shell.Start([ServerScript], Path.Combine(_directory, "server.log"), _environment);
        try
        {
            // Waits for the pid file, the Erlang distribution and the rabbit application, failing early if the VM exits.
            await ControlAsync(["wait", PidFile, "--timeout", ((int)BootTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture)], BootTimeout + TimeSpan.FromSeconds(30));
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            throw new InvalidOperationException($"RabbitMQ node {NodeName} did not start: {ex.Message}\n{LogTail()}", ex);
        }
    }

    private Task<(int ExitCode, string Output)> ControlAsync(string command, TimeSpan? timeout = null) => ControlAsync([command], timeout);

    private Task<(int ExitCode, string Output)> ControlAsync(string[] command, TimeSpan? timeout = null) =>
        Shell.RunAsync([ControlScript, "-n", NodeName, .. command], _environment, timeout: timeout);
}
