namespace Scheduler.Core.Storage;

/// <summary>Result of <see cref="IAdminStore.RequeueMatchingDeadLettersAsync"/>.</summary>
/// <param name="Requeued">The instances requeued, oldest dead letter first.</param>
/// <param name="More">Whether more dead letters matched than the filter's <see cref="Contracts.DeadLetterFilter.Limit"/>: call again to requeue them.</param>
public sealed record DeadLetterRequeueResult(IReadOnlyList<Guid> Requeued, bool More);
