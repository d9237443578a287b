namespace Scheduler.Core.Runtime.Runner;

/// <summary>
/// A token cancelled once a claim being sent can no longer be kept: the instant its bound returns (the claim's lease, as renewals extend it,
/// less half the lease margin; never past the liveness of the node's run) has passed. The bound is read again each time the previous one is
/// reached, so a send whose lease the claim loop keeps renewing may take its whole <see cref="SchedulerOptions.SendTimeout"/>, while one on a
/// claim whose renewals stopped (a slow or unreachable database) ends before another node can take the claim over.
/// </summary>
internal sealed class ClaimDeadline : IDisposable
{
    private readonly Func<DateTimeOffset?> _bound;
    private readonly TimeProvider _timeProvider;
    private readonly CancellationTokenSource _expired = new();
    private readonly ITimer _timer;
    private readonly Lock _lock = new();
    private bool _disposed;

    /// <summary>Starts the watch.</summary>
    /// <param name="first">The bound when the send starts.</param>
    /// <param name="bound">The bound now, read whenever the previous one is reached; <see langword="null"/> when it can no longer move (the claim
    /// is no longer held): the claim expires then.</param>
    /// <param name="timeProvider">The clock of the bound.</param>
    public ClaimDeadline(DateTimeOffset first, Func<DateTimeOffset?> bound, TimeProvider timeProvider)
    {
        _bound = bound;
        _timeProvider = timeProvider;
        _timer = timeProvider.CreateTimer(static state => ((ClaimDeadline)state!).Reached(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Arm(first);
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

    private void Reached()
    {
        if (_bound() is { } moved && moved > _timeProvider.GetUtcNow())
        {
            Arm(moved);
        }
        else
        {
            Arm(null);
        }
    }

    /// <summary>Sets the timer to <paramref name="until"/>, or cancels the token when it is <see langword="null"/> or has passed.</summary>
    private void Arm(DateTimeOffset? until)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            var left = until - _timeProvider.GetUtcNow();
            if (left is { } wait && wait > TimeSpan.Zero)
            {
                _timer.Change(wait, Timeout.InfiniteTimeSpan);
                return;
            }
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
}
