using System.Diagnostics;
using MassTransit;

namespace Scheduler.Benchmarks;

/// <summary>
/// The RabbitMQ the buses connect to: the server of <c>--rabbitmq</c>, on the virtual host <c>--vhost</c>. When <c>rabbitmqctl</c> runs
/// (root on the services.sh machine) the virtual host is deleted and created anew per system, so nothing queued by an earlier system or run
/// is left; otherwise the virtual host is used as it is.
/// </summary>
internal sealed class BrokerTarget(Uri server, string requestedVirtualHost, int prefetch, bool quorumQueues)
{
    private readonly string _username = Uri.UnescapeDataString(server.UserInfo.Split(':')[0] is { Length: > 0 } u ? u : "guest");
    private readonly string _password = Uri.UnescapeDataString(server.UserInfo.Split(':') is [_, var p, ..] ? p : "guest");

    private readonly string _requested = requestedVirtualHost;

    public string VirtualHost { get; private set; } = "/";

    public int Prefetch => prefetch;

    /// <summary>Whether every receive endpoint's queue is a quorum queue (<c>--queue-type quorum</c>).</summary>
    public bool QuorumQueues => quorumQueues;

    /// <summary>Recreates the virtual host with rabbitmqctl; falls back to the URL's virtual host (and says so) when that fails.</summary>
    public async Task ResetAsync(CancellationToken cancellationToken)
    {
        await RunCtlAsync(["delete_vhost", _requested], cancellationToken);
        if (await RunCtlAsync(["add_vhost", _requested], cancellationToken)
            && await RunCtlAsync(["set_permissions", "-p", _requested, _username, ".*", ".*", ".*"], cancellationToken))
        {
            VirtualHost = _requested;
            return;
        }

        VirtualHost = server.AbsolutePath.Trim('/') is { Length: > 0 } path ? Uri.UnescapeDataString(path) : "/";
        Console.Error.WriteLine($"rabbitmqctl could not create virtual host '{_requested}'; using '{VirtualHost}' as it is.");
    }

    /// <summary>Points a MassTransit RabbitMQ bus at this server and virtual host, with the benchmark's prefetch.</summary>
    public void Configure(IRabbitMqBusFactoryConfigurator cfg)
    {
        ArgumentNullException.ThrowIfNull(cfg);
        cfg.PrefetchCount = prefetch;
        cfg.Host(server.Host, (ushort)(server.Port > 0 ? server.Port : 5672), VirtualHost, h =>
        {
            h.Username(_username);
            h.Password(_password);
        });
    }

    /// <summary>The server's version from rabbitmqctl, or "unknown".</summary>
    public static async Task<string> ServerVersionAsync(CancellationToken cancellationToken)
    {
        var output = await RunAsync("rabbitmqctl", ["version"], cancellationToken);
        return output?.Trim() is { Length: > 0 } v ? v : "unknown";
    }

    private static async Task<bool> RunCtlAsync(string[] args, CancellationToken cancellationToken) =>
        await RunAsync("rabbitmqctl", args, cancellationToken) is not null;

    private static async Task<string?> RunAsync(string file, string[] args, CancellationToken cancellationToken)
    {
        try
        {
            var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args)
            {
                info.ArgumentList.Add(a);
            }

            using var process = Process.Start(info);
            if (process is null)
            {
                return null;
            }

            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            _ = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            return process.ExitCode == 0 ? await stdout : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // not installed
        }
    }
}
