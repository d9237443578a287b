using NodaTime;
using Scheduler.Contracts;

namespace Scheduler.Triggers;

/// <summary>
/// Computes fire times. A trigger is immutable and pure: the same trigger gives the same answers on every node,
/// so it can be rebuilt from (<see cref="Kind"/>, <see cref="Expression"/>, time zone, anchor) wherever it is needed.
/// </summary>
public interface ITrigger
{
    /// <summary>The kind of trigger.</summary>
    TriggerKind Kind { get; }

    /// <summary>The normalized expression: the text that, with the same kind, zone and anchor, rebuilds this trigger.</summary>
    string Expression { get; }

    /// <summary>The time zone in which wall-clock times of the trigger are read.</summary>
    DateTimeZone TimeZone { get; }

    /// <summary>
    /// The first fire time strictly after <paramref name="after"/>, as a UTC instant (offset zero), or <see langword="null"/> when the trigger
    /// never fires again. Never returns <paramref name="after"/> itself or an earlier instant.
    /// </summary>
    /// <param name="after">Any instant; its offset is irrelevant.</param>
    DateTimeOffset? GetNextFireTime(DateTimeOffset after);

    /// <summary>An English description in the phrase grammar, e.g. "every 2 weeks on tuesday at 9:34am starting 2025-01-07", which read
    /// back as a phrase (same zone) gives the same fire times; the zone is not part of it. Schedules the grammar cannot say get a literal
    /// description ("whenever cron '5-10 * * * *' matches") that does not parse back.</summary>
    string Describe();
}
