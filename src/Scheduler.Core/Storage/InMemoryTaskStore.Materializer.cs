namespace Scheduler.Core.Storage;

/// <summary>The <see cref="IMaterializerStore"/> port of the in-memory store.</summary>
public sealed partial class InMemoryTaskStore
{
    /// <inheritdoc />
    public Task<MaterializeResult> MaterializeDueDefinitionsAsync(MaterializeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_lock)
        {
            var due = _definitions.Values
                .Where(d => d.NextFireTime is { } next && next <= request.Horizon && d.PausedAt is null)
                .OrderBy(d => d.NextFireTime)
                .Take(request.MaxDefinitions)
                .ToList();
            var inserted = 0;
            DateTimeOffset? earliest = null;
            foreach (var definition in due)
            {
                var plan = request.Plan(definition.Clone(), definition.Calendar is { } name ? _calendars.GetValueOrDefault(name) : null);
                foreach (var instance in plan.Instances)
                {
                    if (!_occurrences.Add((instance.DefinitionId, instance.FireTime)))
                    {
                        continue;
                    }

                    var stored = instance.Clone();
                    stored.Version = 1;
                    _instances.Add(stored.Id, stored);
                    inserted++;
                    if (stored.DueAt is { } dueAt && (earliest is null || dueAt < earliest))
                    {
                        earliest = dueAt;
                    }
                }

                definition.NextFireTime = plan.NextFireTime;
                definition.Version++;
            }

            return Task.FromResult(new MaterializeResult(due.Count, inserted, earliest));
        }
    }
}
