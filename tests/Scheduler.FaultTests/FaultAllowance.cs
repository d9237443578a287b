using Scheduler.FaultTests.Records;

namespace Scheduler.FaultTests;

/// <summary>
/// Which instances a fault may legitimately deliver more than once (at-least-once after it caught them in flight), as the fault's injection
/// found out (e.g. the claims a killed node held).
/// </summary>
/// <param name="MayRepeat">Whether the instance with the given deliveries may arrive more than once; <see langword="null"/> for
/// <see cref="InFlight"/>, decided from the fault's window.</param>
/// <param name="Because">What is allowed and why, for the assertion message.</param>
/// <param name="SameAttemptMayRepeat">Whether a repeat may carry the same attempt number: only a broker's redelivery of an unacknowledged
/// message does that (a broker or worker fault); otherwise every repeat must be a new attempt.</param>
internal sealed record FaultAllowance(Func<Guid, IReadOnlyList<WorkerDelivery>, bool>? MayRepeat, string Because, bool SameAttemptMayRepeat = false)
{
    /// <summary>
    /// The allowance of a broker or database fault: an instance due before the system had recovered (ExpireAfter after the fault ended)
    /// and not already delivered ExpireAfter before it began. Anything due later must arrive once.
    /// </summary>
    public static FaultAllowance InFlight(bool sameAttemptMayRepeat) => new(null,
        "instances in flight at the fault: due before ExpireAfter after its end, first delivered after ExpireAfter before its start" +
        (sameAttemptMayRepeat ? ", which the broker may redeliver" : ""), sameAttemptMayRepeat);

    /// <summary>The instances in <paramref name="held"/> (e.g. what a killed node held), and why.</summary>
    public static FaultAllowance Only(IReadOnlySet<Guid> held, string because, bool sameAttemptMayRepeat = false) =>
        new((instance, _) => held.Contains(instance), because, sameAttemptMayRepeat);

    /// <summary>Decides for one instance, given the fault's window.</summary>
    public bool Allows(Guid instance, IReadOnlyList<WorkerDelivery> deliveries, DateTimeOffset faultStart, DateTimeOffset faultEnd) =>
        MayRepeat?.Invoke(instance, deliveries) ??
        (deliveries[0].DueAt <= faultEnd + FaultSystem.ExpireAfter && deliveries[0].ReceivedAt >= faultStart - FaultSystem.ExpireAfter);
}
