namespace Scheduler.Core.Storage;

/// <summary>The <see cref="ICleanupStore"/> port of the in-memory store.</summary>
public sealed partial class InMemoryTaskStore
{
    /// <inheritdoc />
    public Task<CleanupResult> CleanupAsync(CleanupRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_lock)
        {
            var instances = _instances.Values.Where(i => TaskInstanceLifecycle.IsPastRetention(i, request.FinishedBefore)).Take(request.MaxCount).ToList();
            foreach (var instance in instances)
            {
                _instances.Remove(instance.Id);
                _occurrences.Remove((instance.DefinitionId, instance.FireTime));
            }

            ForgetAttempts(instances);

            var live = _instances.Values.Select(i => i.DefinitionId).ToHashSet();
            var definitions = _definitions.Values
                .Where(d => d.NextFireTime is null && !live.Contains(d.Id) && (d.CancelledAt ?? d.CreatedAt) < request.FinishedBefore)
                .Take(request.MaxCount)
                .ToList();
            foreach (var definition in definitions)
            {
                _definitions.Remove(definition.Id);
                if (definition.IdempotencyKey is { } key)
                {
                    _idempotencyKeys.Remove(key);
                }
            }

            return Task.FromResult(new CleanupResult(instances.Count, definitions.Count));
        }
    }
}
