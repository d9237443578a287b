using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scheduler.Core.Storage;

namespace Scheduler.Core.Runtime;

/// <summary>
/// Keeps <see cref="SchedulerClock"/> aligned with the database's clock: measures at start (the node's start waits for it, so no loop runs on
/// an unmeasured clock) and every <see cref="SchedulerOptions.ClockCheckInterval"/>, logging the offset when it changes bounds.
/// </summary>
internal sealed partial class ClockAlignmentLoop(SchedulerClock clock, INodeStore store, IOptions<SchedulerOptions> options, TimeProvider host,
    ILogger<ClockAlignmentLoop> logger) : BackgroundService
{
    private readonly SchedulerOptions _options = (options ?? throw new ArgumentNullException(nameof(options))).Value;

    /// <summary>When this loop last measured the offset (or found that the store has no clock), for the readiness check.</summary>
    public LoopHeartbeat Heartbeat { get; } = new("clock-alignment", options.Value.ClockCheckInterval, host);

    /// <inheritdoc />
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await MeasureAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogMeasureFailed(ex); // the store may still be starting; the loop measures again
        }

        LogStarting(_options.NodeId, clock.Offset.TotalMilliseconds, Triggers.TimeZones.TzdbVersion);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.ClockCheckInterval, host);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await MeasureAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogMeasureFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task MeasureAsync(CancellationToken cancellationToken)
    {
        var wasOut = clock.IsOutOfBounds;
        var measured = await clock.MeasureAsync(store, _options.MaxClockOffset, cancellationToken: cancellationToken).ConfigureAwait(false);
        Heartbeat.Beat();
        if (measured is not { } offset)
        {
            return;
        }

        if (clock.IsOutOfBounds)
        {
            LogOutOfBounds(offset.TotalMilliseconds, _options.MaxClockOffset.TotalMilliseconds);
        }
        else if (wasOut)
        {
            LogBackInBounds(offset.TotalMilliseconds);
        }
        else
        {
            LogOffset(offset.TotalMilliseconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduler node {NodeId} starting: clock offset from the database {OffsetMs} ms, tz database {TzdbVersion}")]
    private partial void LogStarting(string nodeId, double offsetMs, string tzdbVersion);

    [LoggerMessage(Level = LogLevel.Debug, Message = "This node's clock is {OffsetMs} ms behind the database's (negative: ahead); corrected")]
    private partial void LogOffset(double offsetMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "This node's clock is {OffsetMs} ms off the database's, more than Scheduler:MaxClockOffset ({MaxMs} ms): it dispatches nothing until the host's time service is fixed")]
    private partial void LogOutOfBounds(double offsetMs, double maxMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "This node's clock is within bounds of the database's again ({OffsetMs} ms): it dispatches again")]
    private partial void LogBackInBounds(double offsetMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the database's clock; keeping the last measured offset")]
    private partial void LogMeasureFailed(Exception exception);
}
