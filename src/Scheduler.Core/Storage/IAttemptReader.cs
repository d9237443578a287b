using Scheduler.Core.Definitions;

namespace Scheduler.Core.Storage;

/// <summary>The attempt history read by instance (<see cref="TaskAttempt"/>): what operators' reads show beside each instance.</summary>
/// <remarks>Part of <see cref="IAdminStore"/>, the operators' reads.</remarks>
public interface IAttemptReader
{
    /// <summary>The attempt rows of the instances with the given ids (one round trip), by instance, then attempt number; an instance without
    /// rows (not claimed yet, or unknown) has none.</summary>
    /// <param name="instanceIds">The instances: any number, duplicates ignored.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    Task<IReadOnlyList<TaskAttempt>> GetAttemptsAsync(IReadOnlyCollection<Guid> instanceIds, CancellationToken cancellationToken = default);
}
