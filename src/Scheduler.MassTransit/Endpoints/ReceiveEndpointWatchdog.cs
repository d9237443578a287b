using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Scheduler.MassTransit.Endpoints;

/// <summary>
/// Restarts a receive endpoint that stopped consuming for good while the broker can be reached: one that has been faulted or stopped for
/// <see cref="RestartAfter"/> while another endpoint of this process consumes. MassTransit's receive transport gives up reconnecting on some
/// errors (its retry policy ignores them, e.g. an authentication failure while the broker restarts, and ends its loop: "ReceiveTransport Cannot
/// Retry"), and then never consumes again (MassTransit #2072, #5692); this brings such an endpoint back. Endpoints held by handlers that a
/// connection loss cancelled are left to MassTransit's <c>StopTimeout</c>.
/// </summary>
internal sealed partial class ReceiveEndpointWatchdog(ReceiveEndpointWatch watch, TimeProvider timeProvider, ILogger<ReceiveEndpointWatchdog> logger)
    : BackgroundService
{
    /// <summary>How long an endpoint may stay faulted or stopped, while another consumes, before it is restarted: 60 seconds, twice MassTransit's
    /// longest delay between reconnection attempts.</summary>
    public static readonly TimeSpan RestartAfter = TimeSpan.FromSeconds(60);

    /// <summary>How often the endpoints are checked.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(30);
    private readonly Dictionary<Uri, DateTimeOffset> _restarted = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(CheckInterval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await CheckOnceAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Restarts the endpoints that qualify now; returns how many.</summary>
    public async Task<int> CheckOnceAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        if (!watch.AnyConsuming)
        {
            return 0; // the broker is away (or nothing started yet): MassTransit reconnects what it can; readiness says so meanwhile
        }

        var restarted = 0;
        foreach (var idle in watch.NotConsuming())
        {
            if (idle.State is EndpointState.Draining || now - idle.Since < RestartAfter
                || (_restarted.TryGetValue(idle.Address, out var last) && now - last < RestartAfter))
            {
                continue;
            }

            _restarted[idle.Address] = now;
            LogRestarting(idle.Describe(now));
            try
            {
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                stop.CancelAfter(StopLimit);
                await idle.Endpoint.Stop(stop.Token).ConfigureAwait(false);
                idle.Endpoint.Start(cancellationToken);
                restarted++;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogRestartFailed(ex, idle.Address);
            }
        }

        return restarted;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Receive endpoint {Endpoint} stopped consuming while the broker can be reached (MassTransit #2072, #5692); restarting it")]
    private partial void LogRestarting(string endpoint);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not restart receive endpoint {Address}; trying again in a minute")]
    private partial void LogRestartFailed(Exception exception, Uri address);
}
