using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Scheduler.Core.Runtime;

/// <summary>
/// Watches the destination queues this node dispatches to: every <see cref="SchedulerOptions.DestinationGrace"/> / 3 it asks the broker how
/// many consumers each has (<see cref="IDestinationProbe"/>, within <see cref="SchedulerOptions.SendTimeout"/>). A destination that has had no
/// consumer for <see cref="SchedulerOptions.DestinationGrace"/> is reported — a Warning once, the gauge
/// <c>scheduler.destinations.without_consumer</c>, the admin API and the dashboard — and its tasks wait: the runner holds their dispatch back
/// (the claim is given back, no attempt used) until a consumer is there again, rather than burning their attempts in a queue nobody reads.
/// </summary>
/// <remarks>A destination not dispatched to for ten minutes is no longer watched. While the broker cannot be asked, what was known stays.</remarks>
internal sealed partial class DestinationWatch : BackgroundService
{
    private static readonly TimeSpan Unused = TimeSpan.FromMinutes(10);
    private readonly IDestinationProbe? _probe;
    private readonly SchedulerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<DestinationWatch> _logger;
    private readonly ConcurrentDictionary<string, Destination> _destinations = new(StringComparer.Ordinal);

    public DestinationWatch(IEnumerable<IDestinationProbe> probes, IOptions<SchedulerOptions> options, TimeProvider timeProvider,
        SchedulerMetrics metrics, ILogger<DestinationWatch> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        _probe = probes.FirstOrDefault(p => p.Applies);
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
        metrics.ObserveDestinations(() => _destinations.Values.Count(d => d.WithoutConsumer));
    }

    /// <summary>Whether destinations are watched at all (a probe applies to this bus and <see cref="SchedulerOptions.DestinationGrace"/> is not zero).</summary>
    public bool Enabled => _probe is not null && _options.DestinationGrace > TimeSpan.Zero;

    /// <summary>Notes that the runner dispatches (or would dispatch) to <paramref name="queue"/>; returns whether it has had no consumer for the
    /// grace, so the dispatch waits.</summary>
    public bool IsWithoutConsumer(string queue)
    {
        if (!Enabled || Definitions.DestinationQueueName.Validate(queue) is not null)
        {
            return false; // an invalid name is never sent, nor asked about (the broker would close the channel over it)
        }

        var destination = _destinations.GetOrAdd(queue, static _ => new Destination());
        destination.LastUsed = _timeProvider.GetUtcNow();
        return destination.WithoutConsumer;
    }

    /// <summary>What is known of each watched destination, by queue name.</summary>
    public IReadOnlyList<DestinationStatus> Snapshot() =>
        [.. _destinations.Select(d => new DestinationStatus(d.Key, d.Value.Consumers, d.Value.NoConsumerSince, d.Value.WithoutConsumer, d.Value.CheckedAt))
            .OrderBy(d => d.Queue, StringComparer.Ordinal)];

    /// <summary>Asks the broker about every destination in use once; the loop does it every grace / 3.</summary>
    public async Task CheckOnceAsync(CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        foreach (var (queue, destination) in _destinations)
        {
            if (now - destination.LastUsed > Unused && !destination.WithoutConsumer)
            {
                _destinations.TryRemove(queue, out _);
                continue;
            }

            int consumers;
            try
            {
                var count = 0;
                await BrokerCall.RunAsync(async ct => count = await _probe!.CountConsumersAsync(queue, ct).ConfigureAwait(false), _options.SendTimeout,
                    $"say how many consumers queue '{queue}' has", "Scheduler:SendTimeout", _timeProvider, cancellationToken).ConfigureAwait(false);
                consumers = count;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogProbeFailed(ex, queue); // the broker is away: keep what was known
                continue;
            }

            now = _timeProvider.GetUtcNow();
            destination.Consumers = consumers;
            destination.CheckedAt = now;
            if (consumers > 0)
            {
                destination.NoConsumerSince = null;
                if (destination.WithoutConsumer)
                {
                    destination.WithoutConsumer = false;
                    LogConsumerBack(queue, consumers);
                }
            }
            else
            {
                destination.NoConsumerSince ??= now;
                if (!destination.WithoutConsumer && now - destination.NoConsumerSince >= _options.DestinationGrace)
                {
                    destination.WithoutConsumer = true;
                    LogWithoutConsumer(queue, (now - destination.NoConsumerSince.Value).TotalSeconds);
                }
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(_options.DestinationGrace / 3, _timeProvider);
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

    private sealed class Destination
    {
        public DateTimeOffset LastUsed { get; set; }

        public int? Consumers { get; set; }

        public DateTimeOffset? CheckedAt { get; set; }

        public DateTimeOffset? NoConsumerSince { get; set; }

        public bool WithoutConsumer { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Destination queue '{Queue}' has had no consumer for {Seconds:F0} s: its tasks wait (no attempt is used) until a consumer is there. Start its workers, or cancel or update its tasks")]
    private partial void LogWithoutConsumer(string queue, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Destination queue '{Queue}' has {Consumers} consumers again: its tasks are dispatched")]
    private partial void LogConsumerBack(string queue, int consumers);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not ask the broker about destination queue '{Queue}'; keeping what was known")]
    private partial void LogProbeFailed(Exception exception, string queue);
}
