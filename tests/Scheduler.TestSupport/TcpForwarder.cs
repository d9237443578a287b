using System.Net;
using System.Net.Sockets;

namespace Scheduler.TestSupport;

/// <summary>
/// A loopback TCP port that forwards every connection to a target server until <see cref="Cut"/>: then it refuses new connections and
/// closes the open ones, as a server that went away would. For tests of a service that loses its database while it runs, without stopping
/// the shared server.
/// </summary>
public sealed class TcpForwarder : IDisposable
{
    private readonly TcpListener _listener;
    private readonly List<TcpClient> _open = [];
    private readonly CancellationTokenSource _cut = new();

    /// <summary>Starts forwarding connections on a free loopback port to <paramref name="host"/>:<paramref name="port"/>.</summary>
    public TcpForwarder(string host, int port)
        : this(host, port, 0)
    {
    }

    /// <summary>Starts forwarding connections on loopback port <paramref name="listenPort"/> (0: a free one) to <paramref name="host"/>:<paramref name="port"/>;
    /// with the port of a forwarder that was <see cref="Cut"/>, the server comes back where the clients look for it.</summary>
    public TcpForwarder(string host, int port, int listenPort)
    {
        _listener = new TcpListener(IPAddress.Loopback, listenPort);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptAsync(host, port);
    }

    /// <summary>The loopback port to connect to.</summary>
    public int Port { get; }

    /// <summary>Refuses new connections from now on and closes the forwarded ones.</summary>
    public void Cut()
    {
        _cut.Cancel();
        _listener.Stop();
        lock (_open)
        {
            foreach (var client in _open)
            {
                client.Dispose();
            }

            _open.Clear();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Cut();
        _cut.Dispose();
    }

    private async Task AcceptAsync(string host, int port)
    {
        while (!_cut.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await _listener.AcceptTcpClientAsync(_cut.Token);
            }
            catch (Exception) when (_cut.IsCancellationRequested)
            {
                return;
            }

            var outbound = new TcpClient();
            try
            {
                await outbound.ConnectAsync(host, port, _cut.Token);
            }
            catch (Exception)
            {
                inbound.Dispose();
                outbound.Dispose();
                continue;
            }

            lock (_open)
            {
                _open.Add(inbound);
                _open.Add(outbound);
            }

            _ = PumpAsync(inbound, outbound);
            _ = PumpAsync(outbound, inbound);
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream(), _cut.Token);
        }
        catch (Exception)
        {
            // The other side closed, or Cut: either ends this direction.
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }
}
