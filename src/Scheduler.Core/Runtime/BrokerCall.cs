using System.Globalization;

namespace Scheduler.Core.Runtime;

/// <summary>
/// The one way every component calls the broker: within a timeout, after which the call is abandoned rather than awaited. A call that ignores
/// its cancellation token (a connection the broker dropped mid-call: RabbitMQ.Client #1930, a publish or a topology declaration that never
/// returns) then costs the timeout, never a consumer, a handler or a loop.
/// </summary>
/// <remarks>
/// Abandoning a call loses nothing by itself: each caller hands the work back in a way that gets it done again — the runner releases its claim,
/// a worker's report is sent again in the background or its attempt expires and runs again, a consumer's delivery is redelivered, and an event
/// that is only a notification is logged as not sent beside the stored state that it announces.
/// </remarks>
internal static class BrokerCall
{
    /// <summary>
    /// Runs <paramref name="call"/> with a token cancelled after <paramref name="timeout"/> (or with <paramref name="cancellationToken"/>), and
    /// stops waiting for it then even if it goes on.
    /// </summary>
    /// <param name="call">The broker call; it should observe its token.</param>
    /// <param name="timeout">How long to wait for it.</param>
    /// <param name="what">Completes "The broker did not …" in the timeout's message, e.g. <c>accept TaskCompleted of instance …</c>.</param>
    /// <param name="setting">The setting that gives <paramref name="timeout"/>, named in the message.</param>
    /// <param name="timeProvider">The clock of the timeout.</param>
    /// <param name="cancellationToken">Cancels the wait (and the call).</param>
    /// <exception cref="TimeoutException">The call did not complete within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task RunAsync(Func<CancellationToken, Task> call, TimeSpan timeout, string what, string setting, TimeProvider timeProvider,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        using var expiry = new CancellationTokenSource(timeout, timeProvider);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, expiry.Token);
        var pending = call(bounded.Token);
        try
        {
            await pending.WaitAsync(bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (expiry.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Observe(pending);
            throw new TimeoutException(string.Create(CultureInfo.InvariantCulture,
                $"The broker did not {what} within {timeout.TotalMilliseconds:F0} ms ({setting})."));
        }
        catch (OperationCanceledException)
        {
            Observe(pending);
            throw;
        }
    }

    /// <summary>Observes whatever an abandoned call ends with later, so it is not raised as an unobserved task exception.</summary>
    private static void Observe(Task abandoned)
    {
        if (!abandoned.IsCompleted)
        {
            _ = abandoned.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }
}
