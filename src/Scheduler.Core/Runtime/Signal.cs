namespace Scheduler.Core.Runtime;

/// <summary>An auto-reset wake-up: <see cref="Set"/> ends the current (or next) <see cref="WaitAsync"/> early.</summary>
internal sealed class Signal
{
    private TaskCompletionSource _source = NewSource();

    /// <summary>Wakes the waiter, or the next one if none waits.</summary>
    public void Set() => Volatile.Read(ref _source).TrySetResult();

    /// <summary>Waits until <see cref="Set"/> or until <paramref name="timeout"/> has passed on <paramref name="timeProvider"/>'s clock.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var source = Volatile.Read(ref _source);
        if (!source.Task.IsCompleted && timeout > TimeSpan.Zero)
        {
            using var delayCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(timeout, timeProvider, delayCancellation.Token);
            await Task.WhenAny(source.Task, delay).ConfigureAwait(false);
            await delayCancellation.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }

        if (source.Task.IsCompleted)
        {
            Interlocked.CompareExchange(ref _source, NewSource(), source);
        }
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Runs <paramref name="tick"/> until <paramref name="stoppingToken"/> is cancelled, waiting <paramref name="pollInterval"/> (or until
    /// <see cref="Set"/>) between runs. A tick that throws is reported to <paramref name="onError"/> and the loop goes on at the next poll.
    /// </summary>
    public async Task PollAsync(Func<CancellationToken, Task> tick, TimeSpan pollInterval, TimeProvider timeProvider, Action<Exception> onError,
        CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await tick(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                onError(ex);
            }

            try
            {
                await WaitAsync(pollInterval, timeProvider, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
