using Scheduler.FaultTests.Records;

namespace Scheduler.FaultTests;

/// <summary>
/// Which instances a fault may legitimately deliver more than once (at-least-once, because the fault caught them in flight): those in
/// <see cref="Held"/> (what a stricken process held, found out by the fault's injection), and, with <see cref="InFlightWindow"/>, those in
/// flight during the fault's window, at most <see cref="MaxInFlight"/> of them.
/// </summary>
internal sealed record FaultAllowance
{
    /// <summary>What is allowed and why, for the assertion message.</summary>
    public required string Because { get; init; }

    /// <summary>Instances that may repeat whatever their timing (e.g. the claims a killed node held).</summary>
    public IReadOnlySet<Guid> Held { get; init; } = new HashSet<Guid>();

    /// <summary>
    /// Whether an instance in flight during the fault may repeat: due before the system recovered (ExpireAfter after the fault ended) and
    /// first delivered no earlier than ExpireAfter before it began (its report may have been lost or held up, so it expired and was sent again).
    /// </summary>
    public bool InFlightWindow { get; init; }

    /// <summary>How many instances <see cref="InFlightWindow"/> may allow at most (beyond <see cref="Held"/>); unbounded when null.</summary>
    public int? MaxInFlight { get; init; }

    /// <summary>
    /// Whether a repeat of any allowed instance may carry the same attempt number: a broker's redelivery of an unacknowledged message does
    /// that (a broker or worker fault).
    /// </summary>
    public bool SameAttemptMayRepeat { get; init; }

    /// <summary>
    /// Instances whose same attempt may arrive twice whatever <see cref="SameAttemptMayRepeat"/> says: the claims of a node that died or froze
    /// after publishing and before recording the dispatch. Its claim lapses and is taken over with the same attempt number (a lapsed claim
    /// keeps its attempt, so attempts never exceed the maximum), so the attempt is sent again.
    /// </summary>
    public IReadOnlySet<Guid> SameAttemptHeld { get; init; } = new HashSet<Guid>();

    /// <summary>The allowance of a broker or database fault: instances in flight during it (see <see cref="InFlightWindow"/>).</summary>
    public static FaultAllowance InFlight(bool sameAttemptMayRepeat) => new()
    {
        Because = "instances in flight at the fault: due before ExpireAfter after its end, first delivered after ExpireAfter before its start" +
                  (sameAttemptMayRepeat ? ", which the broker may redeliver" : ""),
        InFlightWindow = true,
        SameAttemptMayRepeat = sameAttemptMayRepeat,
    };

    /// <summary>Only the instances in <paramref name="held"/> (e.g. what a killed worker held), because <paramref name="because"/>.</summary>
    public static FaultAllowance Only(IReadOnlySet<Guid> held, string because, bool sameAttemptMayRepeat = false) => new()
    {
        Because = because,
        Held = held,
        SameAttemptMayRepeat = sameAttemptMayRepeat,
    };

    /// <summary>
    /// The claims a node held when it died or froze (<paramref name="claims"/>): they may repeat, with the same attempt too (see
    /// <see cref="SameAttemptHeld"/>).
    /// </summary>
    public static FaultAllowance Claims(IReadOnlySet<Guid> claims, string because) => new()
    {
        Because = because,
        Held = claims,
        SameAttemptHeld = claims,
    };

    /// <summary>Whether the instance's same attempt may arrive twice.</summary>
    public bool AllowsSameAttempt(Guid instance, bool allowed) => SameAttemptHeld.Contains(instance) || (allowed && SameAttemptMayRepeat);

    /// <summary>Whether the instance with <paramref name="deliveries"/> (in arrival order) was held, or in flight during the fault's window.</summary>
    public (bool Allowed, bool ByWindow) Allows(Guid instance, IReadOnlyList<WorkerDelivery> deliveries, DateTimeOffset faultStart, DateTimeOffset faultEnd)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        if (Held.Contains(instance))
        {
            return (true, false);
        }

        var inWindow = InFlightWindow && deliveries[0].DueAt <= faultEnd + FaultSystem.ExpireAfter && deliveries[0].ReceivedAt >= faultStart - FaultSystem.ExpireAfter;
        return (inWindow, inWindow);
    }
}
