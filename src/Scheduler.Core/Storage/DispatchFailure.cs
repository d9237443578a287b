namespace Scheduler.Core.Storage;

/// <summary>That the dispatch of one claimed attempt failed for a reason of its own, so the attempt is used up.</summary>
/// <param name="InstanceId">The instance.</param>
/// <param name="Attempt">The attempt number reserved by the claim.</param>
/// <param name="At">When the dispatch failed (UTC).</param>
/// <param name="Error">Why, for <c>last_error</c>.</param>
/// <param name="RetryAt">When the next attempt is due (UTC), or <see langword="null"/> when the retry policy allows no more: the instance is
/// dead-lettered.</param>
public sealed record DispatchFailure(Guid InstanceId, int Attempt, DateTimeOffset At, string Error, DateTimeOffset? RetryAt);
