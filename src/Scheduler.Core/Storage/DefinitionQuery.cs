using Scheduler.Contracts;

namespace Scheduler.Core.Storage;

/// <summary>Request of <see cref="IDefinitionStore.ListDefinitionsAsync"/>.</summary>
public sealed record DefinitionQuery
{
    /// <summary>Only definitions in this state; <see langword="null"/> for all.</summary>
    public TaskState? State { get; init; }

    /// <summary>Only definitions whose metadata has this key (and, with <see cref="MetadataValue"/>, that value).</summary>
    public string? MetadataKey { get; init; }

    /// <summary>With <see cref="MetadataKey"/>: the value the entry must have.</summary>
    public string? MetadataValue { get; init; }

    /// <summary>Only recurring definitions: those whose trigger is not <see cref="TriggerKind.Once"/> (cron, RRULE or phrase).
    /// <value>Default <see langword="false"/>: every trigger kind.</value></summary>
    public bool RecurringOnly { get; init; }

    /// <summary>Keyset paging: only definitions after this cursor in the order (created first, then by id); <see langword="null"/> from the
    /// start. Combines with <see cref="Skip"/>, which passes over definitions after it.</summary>
    public DefinitionCursor? After { get; init; }

    /// <summary>How many definitions of the ordered, filtered list to pass over.</summary>
    public int Skip { get; init; }

    /// <summary>At most this many definitions are returned.</summary>
    public required int Take { get; init; }
}
