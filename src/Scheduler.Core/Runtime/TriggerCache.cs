using System.Collections.Concurrent;
using Scheduler.Core.Definitions;
using Scheduler.Triggers;

namespace Scheduler.Core.Runtime;

/// <summary>Keeps parsed triggers of definitions, so that a tick does not parse every due definition's trigger again.</summary>
internal sealed class TriggerCache
{
    private const int Capacity = 100_000;
    private readonly ConcurrentDictionary<Guid, (TriggerKey Key, ITrigger Trigger)> _triggers = new();

    /// <summary>The trigger of <paramref name="definition"/>, cached by id and checked against what it was parsed from, since UpdateTask can
    /// change a definition's trigger, zone or start.</summary>
    /// <exception cref="TriggerFormatException">The stored trigger cannot be read (it was valid when stored, so the data was changed by hand).</exception>
    public ITrigger Get(TaskDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var key = new TriggerKey(definition.TriggerKind, definition.Trigger, definition.TimeZoneId, definition.StartAt);
        if (_triggers.TryGetValue(definition.Id, out var cached) && cached.Key == key)
        {
            return cached.Trigger;
        }

        if (_triggers.Count >= Capacity)
        {
            _triggers.Clear();
        }

        var trigger = TriggerFactory.Create(definition.TriggerKind, definition.Trigger, definition.TimeZoneId, definition.StartAt);
        _triggers[definition.Id] = (key, trigger);
        return trigger;
    }

    private readonly record struct TriggerKey(Contracts.TriggerKind Kind, string Expression, string TimeZoneId, DateTimeOffset StartAt);
}
