namespace Scheduler.Core.Storage;

/// <summary>The <see cref="IOutcomeStore"/> port of the in-memory store.</summary>
public sealed partial class InMemoryTaskStore
{
    /// <inheritdoc />
    public Task<IReadOnlyList<bool>> ApplyOutcomesAsync(IReadOnlyList<InstanceOutcome> outcomes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        lock (_lock)
        {
            var applied = new bool[outcomes.Count];
            for (var n = 0; n < outcomes.Count; n++)
            {
                var outcome = outcomes[n];
                if (_instances.TryGetValue(outcome.InstanceId, out var instance) && TaskInstanceLifecycle.Accepts(instance, outcome.Kind, outcome.Attempt))
                {
                    TaskInstanceLifecycle.Apply(instance, outcome);
                    TaskInstanceLifecycle.Record(_attempts, TaskInstanceLifecycle.Reported(outcome));
                    applied[n] = true;
                }
            }

            return Task.FromResult<IReadOnlyList<bool>>(applied);
        }
    }
}
