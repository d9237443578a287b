namespace Scheduler.FaultTests;

/// <summary>What a fault test expects after its fault: which tasks complete, which are dead-lettered, and which deliveries the fault may repeat.</summary>
internal sealed record FaultExpectation
{
    /// <summary>The fault, as the summary names it.</summary>
    public required string Fault { get; init; }

    /// <summary>Tasks that must end Completed.</summary>
    public required IReadOnlyCollection<Guid> Completing { get; init; }

    /// <summary>Tasks that must end dead-lettered (Failed, with a reason, after using up their attempts).</summary>
    public IReadOnlyCollection<Guid> DeadLettered { get; init; } = [];

    /// <summary>When the fault began.</summary>
    public required DateTimeOffset FaultStart { get; init; }

    /// <summary>When the fault ended (the broker, database or node back, the process resumed; the kill itself for a kill without restart).</summary>
    public required DateTimeOffset FaultEnd { get; init; }

    /// <summary>Which instances the fault may deliver more than once.</summary>
    public required FaultAllowance Allowance { get; init; }
}
