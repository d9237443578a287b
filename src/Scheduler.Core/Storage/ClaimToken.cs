namespace Scheduler.Core.Storage;

/// <summary>One claimed attempt, as the fence of the runner's transitions: the instance, the attempt number the claim reserved.</summary>
/// <param name="InstanceId">The instance.</param>
/// <param name="Attempt">The attempt number reserved by the claim.</param>
public readonly record struct ClaimToken(Guid InstanceId, int Attempt);
