namespace Scheduler.Core.Runtime.Runner;

/// <summary>
/// A token cancelled once a claim being sent can no longer be kept: the instant its bound returns (the claim's lease, as renewals extend it,
/// less half the lease margin; never past the liveness of the node's run) has passed. The send keeps its claim itself: a whole margin before
/// the bound (when half the lease is left) it renews the lease (<see cref="LeaseRenewal.RenewForSendAsync"/>, batched with the other sends'),
/// so the renewal has a margin's time to reach the database (CI: one started half a margin before the bound of a 3 s lease, on a loaded box
/// at Serializable, ended after it), and the bound is read again whenever a renewal ends or the previous bound is reached. So a send on a busy broker may
/// take its whole <see cref="SchedulerOptions.SendTimeout"/>, while one on a claim whose renewals fail (a slow or unreachable database), or
/// that was lost, ends before another node can take the claim over.
/// </summary>
internal sealed class ClaimDeadline : IDisposable
{
    private readonly Func<DateTimeOffset?> _bound;
    private readonly Func<Task> _renew;
    private readonly TimeSpan _renewAhead;
    private readonly TimeProvider _timeProvider;
    private readonly CancellationTokenSource _expired = new();
    private readonly ITimer _timer;
    private readonly Lock _lock = new();
    private DateTimeOffset _last;
    private DateTimeOffset? _renewedFor; // the bound a renewal was last started for: one try per bound, so a failing store is not hammered
    private bool _renewing;
    private bool _disposed;

    /// <summary>Starts the watch.</summary>
    /// <param name="first">The bound when the send starts.</param>
    /// <param name="bound">The bound now; <see langword="null"/> when it can no longer move (the claim is no longer held): the claim expires
    /// at the last bound read.</param>
    /// <param name="renew">Renews the claim's lease; it handles its own failures.</param>
    /// <param name="renewAhead">How long before the bound to renew (the lease margin).</param>
    /// <param name="timeProvider">The clock of the bound.</param>
    public ClaimDeadline(DateTimeOffset first, Func<DateTimeOffset?> bound, Func<Task> renew, TimeSpan renewAhead, TimeProvider timeProvider)
    {
        _bound = bound;
        _renew = renew;
        _renewAhead = renewAhead;
        _timeProvider = timeProvider;
        _last = first;
        _timer = timeProvider.CreateTimer(static state => ((ClaimDeadline)state!).Check(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Check();
    }

    /// <summary>Cancelled once the claim can no longer be kept.</summary>
    public CancellationToken Token => _expired.Token;

    /// <summary>Whether the claim could no longer be kept.</summary>
    public bool Expired => _expired.IsCancellationRequested;

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
        }

        _timer.Dispose();
        _expired.Dispose();
    }

    /// <summary>Reads the bound and, by how far off it is, waits, renews, or cancels the token.</summary>
    private void Check()
    {
        var renew = false;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            if (_bound() is { } moved)
            {
                _last = moved;
            }

            var left = _last - _timeProvider.GetUtcNow();
            if (left > TimeSpan.Zero)
            {
                renew = left <= _renewAhead && !_renewing && _renewedFor != _last;
                if (renew)
                {
                    _renewing = true;
                    _renewedFor = _last;
                }

                _timer.Change(left <= _renewAhead ? left : left - _renewAhead, Timeout.InfiniteTimeSpan);
                if (!renew)
                {
                    return;
                }
            }
        }

        if (renew)
        {
            _ = RenewAsync();
            return;
        }

        try
        {
            _expired.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // disposed between the check and the cancel: the send has ended
        }
    }

    private async Task RenewAsync()
    {
        try
        {
            await _renew().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // the renewal accounts for its own failures; the bound stays where it was
        }

        lock (_lock)
        {
            _renewing = false;
        }

        Check();
    }
}
