using Scheduler.FaultTests.Records;

namespace Scheduler.FaultTests;

/// <summary>What a fault test expects after its fault: which tasks complete, which are dead-lettered, and which deliveries the fault may repeat.</summary>
/// <param name="Fault">The fault, as the summary names it.</param>
/// <param name="Completing">Tasks that must end Completed.</param>
/// <param name="FaultStart">When the fault began.</param>
/// <param name="FaultEnd">When the fault ended (the broker, database or node back, the process resumed; the kill itself for a kill without restart).</param>
/// <param name="Allowance">Which instances the fault may deliver more than once.</param>
internal sealed record FaultExpectation(string Fault, IReadOnlyCollection<Guid> Completing, DateTimeOffset FaultStart, DateTimeOffset FaultEnd,
    FaultAllowance Allowance)
{
    /// <summary>Tasks that must end dead-lettered (Failed, with a reason, after using up their attempts).</summary>
    public IReadOnlyCollection<Guid> DeadLettered { get; init; } = [];

    /// <summary>When the system had recovered by itself (every node ready, every queue consumed again); Warnings logged from
    /// <see cref="FaultStart"/> until then (and <see cref="FaultVerdict.WarningGrace"/> after) belong to the fault. <see langword="null"/> for a
    /// run without a fault: then every Warning is a violation, unless <see cref="ExpectedWarning"/> says the test provokes it.</summary>
    public DateTimeOffset? RecoveredAt { get; init; }

    /// <summary>Warnings the test provokes on purpose (each use says why); any other Warning outside the fault is a violation.</summary>
    public Func<LogEntry, bool> ExpectedWarning { get; init; } = _ => false;
}
