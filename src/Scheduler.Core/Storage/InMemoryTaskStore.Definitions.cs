using Scheduler.Core.Definitions;

namespace Scheduler.Core.Storage;

/// <summary>The <see cref="IDefinitionStore"/> port of the in-memory store.</summary>
public sealed partial class InMemoryTaskStore
{
    /// <inheritdoc />
    public Task<IReadOnlyList<AddDefinitionResult>> AddDefinitionsAsync(IReadOnlyList<TaskDefinition> definitions,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        var batch = DefinitionBatch.Of(definitions);
        IReadOnlyList<AddDefinitionResult> results;
        lock (_lock)
        {
            results = batch.Resolve(Add);
        }

        return Task.FromResult<IReadOnlyList<AddDefinitionResult>>(results);
    }

    /// <inheritdoc />
    public Task<TaskDefinition?> GetDefinitionAsync(Guid id, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_definitions.TryGetValue(id, out var definition) ? definition.Clone() : null);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<TaskDefinition>> ListDefinitionsAsync(DefinitionQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_lock)
        {
            IReadOnlyList<TaskDefinition> page = _definitions.Values
                .Where(d => query.State is null || d.State == query.State)
                .Where(d => query.MetadataKey is null
                    || (d.Metadata.TryGetValue(query.MetadataKey, out var value) && (query.MetadataValue is null || value == query.MetadataValue)))
                .Where(d => !query.RecurringOnly || d.TriggerKind != Contracts.TriggerKind.Once)
                .Where(d => query.After is null || query.After.Precedes(d))
                .OrderBy(d => d.CreatedAt).ThenBy(d => d.Id)
                .Skip(query.Skip).Take(query.Take)
                .Select(d => d.Clone()).ToList();
            return Task.FromResult(page);
        }
    }

    /// <inheritdoc />
    public Task<bool> CancelDefinitionAsync(Guid id, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (!_definitions.TryGetValue(id, out var definition) || definition.CancelledAt is not null)
            {
                return Task.FromResult(false);
            }

            definition.NextFireTime = null;
            definition.CancelledAt = now;
            definition.ChangedAt = now;
            definition.Version++;
            foreach (var instance in _instances.Values)
            {
                if (instance.DefinitionId == id && TaskInstanceLifecycle.IsCancellable(instance))
                {
                    TaskInstanceLifecycle.Cancel(instance, now);
                }
            }

            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<DefinitionChangeResult> ChangeDefinitionAsync(DefinitionChangeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_lock)
        {
            if (!_definitions.TryGetValue(request.Id, out var stored))
            {
                return Task.FromResult(new DefinitionChangeResult(null, false));
            }

            if (request.Edit(stored.Clone()) is not { } edit)
            {
                return Task.FromResult(new DefinitionChangeResult(stored.Clone(), false));
            }

            return Task.FromResult(new DefinitionChangeResult(Apply(stored, edit, request.Now).Clone(), true));
        }
    }

    // Writes an edit of a stored definition, taking back its occurrences not yet begun as the edit says (under the lock).
    private TaskDefinition Apply(TaskDefinition stored, DefinitionEdit edit, DateTimeOffset now)
    {
        var updated = edit.Updated.Clone();
        if (edit.TakeBack != TakeBack.None)
        {
            var takenBack = _instances.Values.Where(i => i.DefinitionId == stored.Id && TaskInstanceLifecycle.IsNotBegun(i)).ToList();
            foreach (var instance in takenBack)
            {
                _instances.Remove(instance.Id);
                _occurrences.Remove((instance.DefinitionId, instance.FireTime));
            }

            ForgetAttempts(takenBack);
            if (edit.TakeBack == TakeBack.Rewind && takenBack.Count > 0)
            {
                updated.NextFireTime = TaskInstanceLifecycle.Rewound(updated.NextFireTime, takenBack.Min(i => i.FireTime));
            }
        }

        updated.ChangedAt = now;
        updated.Version = stored.Version + 1;
        _definitions[stored.Id] = updated;
        return updated;
    }

    /// <inheritdoc />
    public Task<(TaskDefinition? Definition, bool Added)> AddInstanceAsync(TaskInstance instance, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        lock (_lock)
        {
            if (!_definitions.TryGetValue(instance.DefinitionId, out var definition))
            {
                return Task.FromResult<(TaskDefinition?, bool)>((null, false));
            }

            var added = definition.CancelledAt is null && !_instances.ContainsKey(instance.Id) && _occurrences.Add((instance.DefinitionId, instance.FireTime));
            if (added)
            {
                var stored = instance.Clone();
                stored.Version = 1;
                _instances.Add(stored.Id, stored);
            }

            return Task.FromResult<(TaskDefinition?, bool)>((definition.Clone(), added));
        }
    }

    /// <inheritdoc />
    public Task<Calendars.TaskCalendar?> GetCalendarAsync(string name, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_calendars.GetValueOrDefault(name));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<Calendars.TaskCalendar>> ListCalendarsAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            IReadOnlyList<Calendars.TaskCalendar> all = [.. _calendars.Values.OrderBy(c => c.Name, StringComparer.Ordinal)];
            return Task.FromResult(all);
        }
    }

    /// <inheritdoc />
    public Task<CalendarChangeResult> ChangeCalendarAsync(CalendarChangeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_lock)
        {
            var existing = _calendars.GetValueOrDefault(request.Name);
            if ((request.Spec is null && existing is null) || (request.Spec is { } same && existing is not null && Triggers.Calendars.CalendarSpecs.Equal(same, existing.Spec)))
            {
                return Task.FromResult(new CalendarChangeResult(existing, false, []));
            }

            var calendar = request.Spec is { } spec
                ? new Calendars.TaskCalendar { Name = request.Name, Spec = spec, Version = (existing?.Version ?? 0) + 1, CreatedAt = existing?.CreatedAt ?? request.Now, ChangedAt = request.Now }
                : null;
            var naming = _definitions.Values.Where(d => d.CancelledAt is null && string.Equals(d.Calendar, request.Name, StringComparison.Ordinal)).ToList();
            var edits = naming.Select(d => (Stored: d, Edit: request.Edit(d.Clone(), calendar))).Where(e => e.Edit is not null).ToList(); // all or nothing
            foreach (var (stored, edit) in edits)
            {
                Apply(stored, edit!, request.Now);
            }

            if (calendar is null)
            {
                _calendars.Remove(request.Name);
            }
            else
            {
                _calendars[request.Name] = calendar;
            }

            return Task.FromResult(new CalendarChangeResult(calendar, true, [.. edits.Select(e => e.Stored.Id)]));
        }
    }

    private AddDefinitionResult Add(TaskDefinition definition)
    {
        if (_definitions.TryGetValue(definition.Id, out var existing)
            || (definition.IdempotencyKey is { } key && _idempotencyKeys.TryGetValue(key, out var id) && _definitions.TryGetValue(id, out existing)))
        {
            return new AddDefinitionResult(existing.Clone(), AlreadyExisted: true);
        }

        var stored = definition.Clone();
        stored.Version = 1;
        _definitions.Add(stored.Id, stored);
        if (stored.IdempotencyKey is { } newKey)
        {
            _idempotencyKeys[newKey] = stored.Id;
        }

        return new AddDefinitionResult(stored.Clone(), AlreadyExisted: false);
    }
}
