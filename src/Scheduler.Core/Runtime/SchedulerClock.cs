using Scheduler.Core.Storage;

namespace Scheduler.Core.Runtime;

/// <summary>
/// The node's clock for every scheduling decision — due-ness, claims, leases, misfires: the host's <see cref="TimeProvider"/> corrected by its
/// measured offset from the database's clock, so all nodes of a cluster decide against one authority and a node whose clock is fast never
/// fires early. Timers and delays are the host's (durations need no correction).
/// </summary>
/// <remarks>
/// <para>The offset is measured at start, before the loops run, and every <see cref="SchedulerOptions.ClockCheckInterval"/>: of a few reads of
/// the database's time (<see cref="INodeStore.GetDatabaseTimeAsync"/>) the one with the shortest round trip is kept (NTP's minimum-delay
/// filter), and the offset is the database's time minus the local time after the read — the smallest offset the read allows, so that the
/// measurement's own error can make the node late by at most that round trip, never early. A store without a clock of its own (in-memory;
/// SQLite, which runs on the node's host) leaves the offset at zero.</para>
/// <para>When the offset exceeds <see cref="SchedulerOptions.MaxClockOffset"/> the node still corrects for it, but reports
/// <see cref="IsOutOfBounds"/>: the runner then dispatches nothing (it releases its claims), an error is logged and the node reports not ready,
/// until the clocks agree again — a clock that far off means the host's time service is broken.</para>
/// </remarks>
internal sealed class SchedulerClock : TimeProvider
{
    private readonly TimeProvider _host;
    private long _offsetTicks;
    private volatile bool _outOfBounds;
    private volatile bool _measured;

    /// <summary>Creates the clock over the host's <paramref name="host"/> time provider, with no offset until measured.</summary>
    public SchedulerClock(TimeProvider host) => _host = host ?? throw new ArgumentNullException(nameof(host));

    /// <summary>The database's time minus the host's, as last measured (zero before the first measurement, or without a database clock).</summary>
    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    /// <summary>The offset as last measured; <see langword="null"/> before the first measurement or without a database clock.</summary>
    public TimeSpan? MeasuredOffset => _measured ? Offset : null;

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
    public async Task<TimeSpan?> MeasureAsync(INodeStore store, TimeSpan maxOffset, int samples = 5, CancellationToken cancellationToken = default)
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
        _measured = true;
        return offset;
    }
}
