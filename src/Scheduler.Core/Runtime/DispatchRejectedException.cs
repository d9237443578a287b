namespace Scheduler.Core.Runtime;

/// <summary>
/// Thrown by an <see cref="ITaskDispatcher"/> when the broker (or the transport) refused one message for a reason of its own — an invalid or
/// forbidden destination, a message larger than the broker accepts — so sending the same message again cannot succeed. The runner uses up the
/// attempt (retry after backoff, dead letter after the last) instead of releasing the claim, and does not count it as a broker failure.
/// </summary>
public sealed class DispatchRejectedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DispatchRejectedException()
    {
    }

    /// <summary>Creates the exception with a message saying why the message was refused.</summary>
    public DispatchRejectedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the transport's exception.</summary>
    public DispatchRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
