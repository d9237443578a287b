using MassTransit;
using Scheduler.Core.Runtime;

namespace Scheduler.MassTransit.Node;

/// <summary>The node's replies to commands and queries, each bounded by <see cref="SchedulerOptions.SendTimeout"/> (<see cref="BrokerCall"/>).</summary>
/// <remarks>A reply that times out throws <see cref="TimeoutException"/>: the consume fails and the endpoint's retry (or the broker's
/// redelivery) runs the command again, which finds its effect stored and answers again (commands are idempotent by task id).</remarks>
internal static class BoundedReplies
{
    /// <summary>Responds to <paramref name="context"/>'s requester with <paramref name="message"/> (or publishes it, without one), within the send timeout.</summary>
    /// <exception cref="TimeoutException">The broker did not take the reply in time.</exception>
    public static Task RespondWithinAsync<T>(this ConsumeContext context, T message, SchedulerOptions options, TimeProvider timeProvider)
        where T : class =>
        BrokerCall.RunAsync(_ => context.RespondAsync(message), options.SendTimeout, $"accept the reply {typeof(T).Name}", "Scheduler:SendTimeout",
            timeProvider, context.CancellationToken);
}
