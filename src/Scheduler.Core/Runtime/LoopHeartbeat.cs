namespace Scheduler.Core.Runtime;

/// <summary>
/// When one of a node's loops last completed a tick, read by the readiness check <see cref="LoopsHealthCheck"/>: a loop that has not
/// completed a tick for <see cref="StaleAfter"/> is stuck or keeps failing (its store calls throw, say), and the node reports not ready.
/// </summary>
/// <remarks>Ages are measured on the loop's <see cref="TimeProvider"/> with its monotonic timestamp
/// (<see cref="TimeProvider.GetElapsedTime(long)"/>), so a correction of the node's clock against the database's does not age a loop, and
/// tests drive it with <c>FakeTimeProvider</c>. Before its first tick a loop counts from when it was created.</remarks>
internal sealed class LoopHeartbeat
{
    /// <summary>A loop is stale after this many of its intervals without a completed tick: 5.</summary>
    public const int StaleIntervals = 5;

    /// <summary>A loop is never stale sooner than this after its last tick, however short its interval: 30 seconds (a slow database
    /// round trip or a garbage collection must not flip readiness).</summary>
    public static readonly TimeSpan MinimumStaleAfter = TimeSpan.FromSeconds(30);

    private readonly TimeProvider _timeProvider;
    private long _lastTimestamp;
    private long _lastTickTicks;

    internal LoopHeartbeat(string loop, TimeSpan interval, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        Loop = loop;
        Interval = interval;
        _timeProvider = timeProvider;
        _lastTimestamp = timeProvider.GetTimestamp();
        _lastTickTicks = timeProvider.GetUtcNow().UtcTicks;
    }

    /// <summary>The loop's name: <c>scheduler</c>, <c>runner</c>, <c>cleanup</c> or <c>clock-alignment</c>.</summary>
    public string Loop { get; }

    /// <summary>The loop's interval: its poll, cleanup or clock check interval.</summary>
    public TimeSpan Interval { get; }

    /// <summary>How long without a completed tick makes the loop stale: <see cref="StaleIntervals"/> × <see cref="Interval"/>, at least
    /// <see cref="MinimumStaleAfter"/>.</summary>
    public TimeSpan StaleAfter => TimeSpan.FromTicks(Math.Max(Interval.Ticks * StaleIntervals, MinimumStaleAfter.Ticks));

    /// <summary>When the loop last completed a tick (UTC, on the loop's clock), or when it was created if it has not yet.</summary>
    public DateTimeOffset LastTickAt => new(Interlocked.Read(ref _lastTickTicks), TimeSpan.Zero);

    /// <summary>Time since the last completed tick (or since the loop was created).</summary>
    public TimeSpan Age => _timeProvider.GetElapsedTime(Interlocked.Read(ref _lastTimestamp));

    /// <summary>Whether <see cref="Age"/> exceeds <see cref="StaleAfter"/>.</summary>
    public bool IsStale => Age > StaleAfter;

    /// <summary>Records a completed tick now.</summary>
    internal void Beat()
    {
        Interlocked.Exchange(ref _lastTimestamp, _timeProvider.GetTimestamp());
        Interlocked.Exchange(ref _lastTickTicks, _timeProvider.GetUtcNow().UtcTicks);
    }
}
