using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scheduler.Core.Storage;

namespace Scheduler.Core.Runtime;

/// <summary>
/// The node's clock for every scheduling decision — due-ness, claims, leases, misfires: the host's <see cref="TimeProvider"/> corrected by its
/// measured offset from the database's clock, so all nodes of a cluster decide against one authority and a node whose clock is fast never
/// fires early. Timers and delays are the host's (durations need no correction).
/// </summary>
/// <remarks>
/// <para>The offset is measured at start, before the loops run, and every <see cref="SchedulerOptions.ClockCheckInterval"/>: of a few reads of
/// the database's time (<see cref="ITaskStore.GetDatabaseTimeAsync"/>) the one with the shortest round trip is kept (NTP's minimum-delay
/// filter), and the offset is the database's time minus the local time after the read — the smallest offset the read allows, so that the
/// measurement's own error can make the node late by at most that round trip, never early. A store without a clock of its own (in-memory;
/// SQLite, which runs on the node's host) leaves the offset at zero.</para>
/// <para>When the offset exceeds <see cref="SchedulerOptions.MaxClockOffset"/> the node still corrects for it, but reports
/// <see cref="IsOutOfBounds"/>: the runner then dispatches nothing (it releases its claims), an error is logged and the node reports not ready,
/// until the clocks agree again — a clock that far off means the host's time service is broken.</para>
/// </remarks>
public sealed class SchedulerClock : TimeProvider
{
    private readonly TimeProvider _host;
    private long _offsetTicks;
    private volatile bool _outOfBounds;

    /// <summary>Creates the clock over the host's <paramref name="host"/> time provider, with no offset until measured.</summary>
    public SchedulerClock(TimeProvider host) => _host = host ?? throw new ArgumentNullException(nameof(host));

    /// <summary>The database's time minus the host's, as last measured (zero before the first measurement, or without a database clock).</summary>
    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    /// <summary>Whether the last measured offset exceeded <see cref="SchedulerOptions.MaxClockOffset"/>: the node must not dispatch.</summary>
    public bool IsOutOfBounds => _outOfBounds;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => _host.GetUtcNow() + Offset;

    /// <inheritdoc />
    public override long GetTimestamp() => _host.GetTimestamp();

    /// <inheritdoc />
    public override long TimestampFrequency => _host.TimestampFrequency;

    /// <inheritdoc />
    public override TimeZoneInfo LocalTimeZone => _host.LocalTimeZone;

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        _host.CreateTimer(callback, state, dueTime, period);

    /// <summary>Measures the offset against <paramref name="store"/>'s clock (<paramref name="samples"/> reads, the fastest kept) and applies it.</summary>
    /// <returns>The measured offset, or <see langword="null"/> when the store has no clock of its own.</returns>
    public async Task<TimeSpan?> MeasureAsync(ITaskStore store, TimeSpan maxOffset, int samples = 5, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        TimeSpan? offset = null;
        var fastest = TimeSpan.MaxValue;
        for (var n = 0; n < samples; n++)
        {
            var before = _host.GetUtcNow();
            var database = await store.GetDatabaseTimeAsync(cancellationToken).ConfigureAwait(false);
            var after = _host.GetUtcNow();
            if (database is not { } db)
            {
                return null;
            }

            if (after - before < fastest)
            {
                fastest = after - before;
                offset = db - after; // the database read its clock at or before "after": the node is behind by at least this much
            }
        }

        if (offset is null)
        {
            return null;
        }

        Interlocked.Exchange(ref _offsetTicks, offset.Value.Ticks);
        _outOfBounds = offset.Value.Duration() > maxOffset;
        return offset;
    }
}

/// <summary>
/// Keeps <see cref="SchedulerClock"/> aligned with the database's clock: measures at start (the node's start waits for it, so no loop runs on
/// an unmeasured clock) and every <see cref="SchedulerOptions.ClockCheckInterval"/>, logging the offset when it changes bounds.
/// </summary>
public sealed partial class ClockAlignmentLoop(SchedulerClock clock, ITaskStore store, IOptions<SchedulerOptions> options, TimeProvider host,
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
