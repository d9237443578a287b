using Scheduler.Contracts;
using Scheduler.Core.Definitions;

namespace Scheduler.Core.Runtime;

/// <summary>The attempt history in operators' reads: every instance shown with its attempts, read in one query per page.</summary>
public sealed partial class SchedulingService
{
    /// <summary>Task instance <paramref name="instanceId"/> with its attempt history, and the id of its task; <see langword="null"/> when there
    /// is no such instance.</summary>
    /// <exception cref="TaskValidationException"><paramref name="instanceId"/> is all zeros.</exception>
    public async Task<TaskInstanceEntry?> GetInstanceAsync(Guid instanceId, CancellationToken cancellationToken = default)
    {
        RequireInstanceId(instanceId);
        if (await _admin.GetInstanceAsync(instanceId, cancellationToken).ConfigureAwait(false) is not { } instance)
        {
            return null;
        }

        return new TaskInstanceEntry(instance.DefinitionId, (await WithAttemptsAsync([instance], cancellationToken).ConfigureAwait(false))[0]);
    }

    // The contract views of a page of instances, each with its attempts (one read for the page).
    private async Task<IReadOnlyList<TaskInstanceInfo>> WithAttemptsAsync(IReadOnlyList<TaskInstance> page, CancellationToken cancellationToken)
    {
        if (page.Count == 0)
        {
            return [];
        }

        var attempts = (await _admin.GetAttemptsAsync(page.Select(i => i.Id).ToList(), cancellationToken).ConfigureAwait(false))
            .ToLookup(a => a.InstanceId);
        return page.Select(i => i.ToInfo(attempts[i.Id])).ToList();
    }
}
