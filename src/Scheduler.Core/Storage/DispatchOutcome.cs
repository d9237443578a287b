namespace Scheduler.Core.Storage;

/// <summary>That the runner dispatched one claimed attempt.</summary>
/// <param name="InstanceId">The instance.</param>
/// <param name="Attempt">The attempt number reserved by the claim.</param>
/// <param name="At">When it was dispatched (UTC); the attempt expires at this plus <see cref="DispatchRecordRequest.QueueTimeout"/> plus
/// ExpireAfter, or sooner once a worker reports its start (<see cref="TaskInstanceLifecycle.RecordDispatch"/>).</param>
public sealed record DispatchOutcome(Guid InstanceId, int Attempt, DateTimeOffset At);
