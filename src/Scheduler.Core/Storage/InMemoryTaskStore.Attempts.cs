using Scheduler.Core.Definitions;

namespace Scheduler.Core.Storage;

/// <summary>The attempt history of the in-memory store (<see cref="IAttemptReader"/>): each transition records its attempt row
/// (<see cref="TaskInstanceLifecycle.Record"/>) under the lock, beside the instance's; the rows go with their instance.</summary>
public sealed partial class InMemoryTaskStore
{
    /// <inheritdoc />
    public Task<IReadOnlyList<TaskAttempt>> GetAttemptsAsync(IReadOnlyCollection<Guid> instanceIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instanceIds);
        var wanted = instanceIds.ToHashSet();
        lock (_lock)
        {
            IReadOnlyList<TaskAttempt> attempts = _attempts.Values.Where(a => wanted.Contains(a.InstanceId))
                .OrderBy(a => a.InstanceId).ThenBy(a => a.Attempt).Select(a => a.Clone()).ToList();
            return Task.FromResult(attempts);
        }
    }

    // Removes the attempt rows of instances removed (under the lock), as the SQL store's ON DELETE CASCADE does.
    private void ForgetAttempts(List<TaskInstance> removed)
    {
        if (removed.Count == 0 || _attempts.Count == 0)
        {
            return;
        }

        var ids = removed.Select(i => i.Id).ToHashSet();
        foreach (var key in _attempts.Keys.Where(k => ids.Contains(k.InstanceId)).ToList())
        {
            _attempts.Remove(key);
        }
    }
}
