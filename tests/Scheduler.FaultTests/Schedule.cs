namespace Scheduler.FaultTests;

/// <summary>The tasks a fault test scheduled, when they fall due, and when the fault is to begin.</summary>
internal sealed record Schedule(IReadOnlyList<Guid> TaskIds, DateTimeOffset FirstDue, DateTimeOffset LastDue, DateTimeOffset FaultStart);
