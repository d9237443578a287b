namespace Scheduler.FaultTests;

/// <summary>
/// Which instances a fault may legitimately deliver more than once (at-least-once, because the fault caught them in flight), measured by the
/// test (<see cref="FaultWindow"/>): <see cref="MayRepeat"/>; and of those, which may arrive twice with the same attempt
/// (<see cref="MayRepeatSameAttempt"/>: a broker redelivery of an unacknowledged message, a send the node repeated after its confirmation
/// timed out, a lapsed claim of a node that died after publishing). Everything else must arrive exactly once.
/// </summary>
internal sealed record FaultAllowance(string Because, IReadOnlySet<Guid> MayRepeat, IReadOnlySet<Guid> MayRepeatSameAttempt)
{
    /// <summary>Nothing may repeat: no process fails.</summary>
    public static FaultAllowance Nothing(string because) => new(because, new HashSet<Guid>(), new HashSet<Guid>());

    /// <summary>
    /// A broker fault: what was claimed, dispatched or in a handler while it lasted may repeat, with the same attempt too (the broker redelivers
    /// unacknowledged messages; a send whose confirmation the fault swallowed went through and is sent again).
    /// </summary>
    public static FaultAllowance BrokerFault(FaultWindow window) => new(
        $"the {window.All.Count} instances claimed, dispatched or in a handler while the broker fault lasted", window.All, window.All);

    /// <summary>
    /// A database fault: what was in flight may repeat as the next attempt (a completion the saga could not store in time is lost and the
    /// attempt expires), and only a claim may repeat with the same attempt (a node published it but could not record it: the claim lapses and is
    /// taken over with its attempt number).
    /// </summary>
    public static FaultAllowance DatabaseFault(FaultWindow window) => new(
        $"the {window.All.Count} instances in flight while the database was away, the same attempt only for the {window.Claimed.Count} claims",
        window.All, window.Claimed.Keys.ToHashSet());

    /// <summary>
    /// A node that died or froze: only the claims it held, or any claim seen past its lease, may repeat, with the same attempt (it may have
    /// published them before it stopped recording); and, with <paramref name="andItsReports"/> (a frozen node keeps the outcome reports its saga had prefetched), what was dispatched
    /// meanwhile may repeat as the next attempt.
    /// </summary>
    public static FaultAllowance NodeFault(FaultWindow window, string node, bool andItsReports)
    {
        var claims = window.ClaimedBy(node).Concat(window.Lapsed).ToHashSet();
        var repeat = andItsReports ? claims.Concat(window.Dispatched).ToHashSet() : claims;
        return new FaultAllowance(
            $"the {claims.Count} claims {node} held or seen past their lease (the same attempt: it may have published them; a frozen node's open " +
            "transaction also holds up another node's record of its dispatches)" +
            (andItsReports ? $", and the {window.Dispatched.Count} instances dispatched while it was frozen (their reports waited in its saga's prefetch)" : ""),
            repeat, claims);
    }

    /// <summary>
    /// Every node frozen: what was in flight may repeat as the next attempt (its report waited in a frozen saga's prefetch past its expiry), and
    /// the claims with the same attempt (a claim that lapsed while its node was frozen is taken over with its attempt number).
    /// </summary>
    public static FaultAllowance NodesFrozen(FaultWindow window) => new(
        $"the {window.All.Count} instances in flight while the nodes were frozen, the same attempt only for the {window.Claimed.Count} claims",
        window.All, window.Claimed.Keys.ToHashSet());

    /// <summary>
    /// A worker that died: only what it held unacknowledged may repeat, with the same attempt (the broker redelivers it to the other worker):
    /// what it was running (no done line), and what it had finished but not yet acknowledged — each of those repeats only as a copy the broker
    /// marked redelivered.
    /// </summary>
    public static FaultAllowance WorkerFault(IReadOnlyList<Records.WorkerDelivery> deliveries, string worker, IReadOnlySet<Guid> running)
    {
        var unacknowledged = deliveries.GroupBy(d => d.InstanceId)
            .Where(g => g.OrderBy(d => d.ReceivedAt).First().Worker == worker && g.OrderBy(d => d.ReceivedAt).Skip(1).All(d => d.Redelivered))
            .Select(g => g.Key);
        var repeat = running.Concat(unacknowledged).ToHashSet();
        return new FaultAllowance(
            $"the {running.Count} instances {worker} was running when it died and those it had finished without acknowledging them yet " +
            $"(redelivered by the broker; {repeat.Count} in all)", repeat, repeat);
    }
}
