using System.Collections.Concurrent;
using Scheduler.Core.Definitions;
using Scheduler.Core.Triggers;

namespace Scheduler.Core.Runtime;

/// <summary>Keeps parsed triggers of definitions, so that a tick does not parse every due definition's trigger again.</summary>
public sealed class TriggerCache
{
    private const int Capacity = 100_000;
    private readonly ConcurrentDictionary<Guid, ITrigger> _triggers = new();

    /// <summary>The trigger of <paramref name="definition"/>. Definitions' triggers never change, so the id is the key.</summary>
    /// <exception cref="TriggerFormatException">The stored trigger cannot be read (it was valid when stored, so the data was changed by hand).</exception>
    public ITrigger Get(TaskDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (_triggers.TryGetValue(definition.Id, out var trigger))
        {
            return trigger;
        }

        if (_triggers.Count >= Capacity)
        {
            _triggers.Clear();
        }

        trigger = TriggerFactory.Create(definition.TriggerKind, definition.Trigger, definition.TimeZoneId, definition.StartAt);
        _triggers[definition.Id] = trigger;
        return trigger;
    }
}
