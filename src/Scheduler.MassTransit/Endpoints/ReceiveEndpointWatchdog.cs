using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Scheduler.MassTransit.Endpoints;

/// <summary>
/// Restarts a receive endpoint of this process that is not consuming while the broker answers: one faulted or stopped for
/// <see cref="RestartAfter"/>, or held by cancelled handlers for longer than MassTransit's <c>StopTimeout</c> plus <see cref="RestartAfter"/>,
/// once the broker has answered this watchdog's probes (<see cref="BrokerProbe"/>) for <see cref="AnsweringFor"/>.
/// </summary>
/// <remarks>
/// MassTransit's receive transport reconnects by itself with delays growing to 30 s, so an endpoint can stay without consumer up to 30 s after
/// the broker is back; and it gives up for good on some errors (its retry policy ignores them, e.g. an authentication failure while the broker
/// restarts: "ReceiveTransport Cannot Retry") or when its handlers in flight outlast a connection loss, and then never consumes again while the
/// process lives (MassTransit #2072, #5692). The broker answering is asked of the broker itself — never inferred from other endpoints, one of
/// which may have heard of no outage at all.
/// </remarks>
internal sealed partial class ReceiveEndpointWatchdog : BackgroundService
{
    /// <summary>How long an endpoint may stay faulted or stopped before it is restarted (once the broker answers): 30 seconds.</summary>
    public static readonly TimeSpan RestartAfter = TimeSpan.FromSeconds(30);

    /// <summary>How long the broker must have answered before an endpoint is restarted: 10 seconds, so a broker that is still starting (or
    /// flapping) is not raced.</summary>
    public static readonly TimeSpan AnsweringFor = TimeSpan.FromSeconds(10);

    /// <summary>How often the endpoints are checked.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(30);
    private readonly ReceiveEndpointWatch _watch;
    private readonly Func<CancellationToken, Task> _probe;
    private readonly TimeSpan _drainLimit;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<ReceiveEndpointWatchdog> _logger;
    private readonly Dictionary<Uri, DateTimeOffset> _restarted = [];
    private DateTimeOffset? _answeringSince;

    /// <summary>Creates the watchdog of this process's endpoints.</summary>
    public ReceiveEndpointWatchdog(ReceiveEndpointWatch watch, BrokerProbe probe, IOptions<MassTransitHostOptions> hostOptions, TimeProvider timeProvider,
        ILogger<ReceiveEndpointWatchdog> logger)
        : this(watch, probe.ProbeAsync, hostOptions.Value.StopTimeout ?? SchedulerRegistrationExtensions.DefaultStopTimeout, timeProvider, logger)
    {
    }

    /// <summary>Creates the watchdog with a probe of its own and MassTransit's <c>StopTimeout</c> (tests).</summary>
    internal ReceiveEndpointWatchdog(ReceiveEndpointWatch watch, Func<CancellationToken, Task> probe, TimeSpan stopTimeout, TimeProvider timeProvider,
        ILogger<ReceiveEndpointWatchdog> logger)
    {
        _watch = watch;
        _probe = probe;
        _drainLimit = stopTimeout + RestartAfter;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(CheckInterval, _timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await CheckOnceAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    LogCheckFailed(ex); // never the host's end: the next tick checks again
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Restarts the endpoints that qualify now; returns how many were restarted.</summary>
    public async Task<int> CheckOnceAsync(CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        var due = _watch.NotConsuming()
            .Where(idle => now - idle.Since >= (idle.State == EndpointState.Draining ? _drainLimit : RestartAfter)
                && !(_restarted.TryGetValue(idle.Address, out var last) && now - last < RestartAfter))
            .ToList();
        if (due.Count == 0)
        {
            _answeringSince = null; // measured afresh the next time an endpoint is due
            return 0;
        }

        if (!await AnswersAsync(cancellationToken).ConfigureAwait(false))
        {
            _answeringSince = null; // the broker is away: MassTransit reconnects once it is back; readiness says what is not consuming
            return 0;
        }

        var answering = now - (_answeringSince ??= now);
        if (answering < AnsweringFor)
        {
            return 0;
        }

        var restarted = 0;
        foreach (var idle in due)
        {
            _restarted[idle.Address] = now;
            LogRestarting(idle.Describe(now), answering.TotalSeconds);
            if (await RestartAsync(idle, cancellationToken).ConfigureAwait(false))
            {
                restarted++;
            }
        }

        return restarted;
    }

    private async Task<bool> AnswersAsync(CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(ProbeTimeout, _timeProvider);
        using var probe = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await _probe(probe.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Stops the endpoint (waiting at most 30 s for its handlers) and starts it again; a stop that does not finish is tried again after
    /// <see cref="RestartAfter"/>.</summary>
    private async Task<bool> RestartAsync(NotConsuming idle, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = new CancellationTokenSource(StopLimit, _timeProvider);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            await idle.Endpoint.Stop(stop.Token).ConfigureAwait(false);
            idle.Endpoint.Start(cancellationToken);
            return true;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogRestartFailed(ex, idle.Address, RestartAfter.TotalSeconds);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Receive endpoint {Endpoint} is not consuming although the broker has answered for {Answering:F0} s (MassTransit reconnects only at its next attempt, up to 30 s apart, and never after some faults: MassTransit #2072, #5692); restarting it")]
    private partial void LogRestarting(string endpoint, double answering);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not check the receive endpoints; checking again in 5 s")]
    private partial void LogCheckFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not restart receive endpoint {Address}; trying again in {Seconds:F0} s")]
    private partial void LogRestartFailed(Exception exception, Uri address, double seconds);
}
