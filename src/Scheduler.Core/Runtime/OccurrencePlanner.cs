using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Triggers;

namespace Scheduler.Core.Runtime;

/// <summary>
/// Decides which task instances a due definition gets in one tick of the scheduler loop: every occurrence from its next fire time up to the
/// horizon (not just the first), with misfired occurrences handled per the definition's <see cref="MisfirePolicy"/>, each due at its fire
/// time plus its jitter (<see cref="OccurrenceJitter"/>), none past the definition's end (<see cref="TaskDefinition.End"/>).
/// </summary>
internal static class OccurrencePlanner
{
    /// <summary>Plans <paramref name="definition"/> for the span up to <paramref name="horizon"/>.</summary>
    /// <param name="definition">A definition whose <see cref="TaskDefinition.NextFireTime"/> is set.</param>
    /// <param name="trigger">The definition's trigger.</param>
    /// <param name="now">The current time (UTC).</param>
    /// <param name="horizon">The end of the execution window (UTC), inclusive.</param>
    /// <param name="misfireThreshold">Fire times before <c>now - misfireThreshold</c> are misfires.</param>
    /// <param name="maxOccurrences">Most instances to plan; the rest are planned in later ticks.</param>
    /// <param name="evaluationFailed">Called when the trigger throws while computing a fire time (see
    /// <see cref="TriggerInstants.IsEvaluationFailure"/>): the definition then ends after the instances planned so far, since a trigger is
    /// pure and would throw again on every tick.</param>
    /// <param name="calendar">The task's calendar read for its zone, if it names one: an occurrence it excludes is planned as a
    /// <see cref="TaskInstanceState.Skipped"/> instance (never run) whose <see cref="TaskInstance.LastError"/> names the calendar and why.</param>
    public static Storage.MaterializePlan Plan(TaskDefinition definition, ITrigger trigger, DateTimeOffset now, DateTimeOffset horizon,
        TimeSpan misfireThreshold, int maxOccurrences, Action<Exception>? evaluationFailed = null, Triggers.Calendars.CalendarExclusions? calendar = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(trigger);
        var end = definition.End; // past its EndAt or its last occurrence (MaxOccurrences), the task fires no more: it is finished
        DateTimeOffset? NextAfter(DateTimeOffset after)
        {
            try
            {
                return NextOccurrence(trigger, end, after);
            }
            catch (Exception ex) when (TriggerInstants.IsEvaluationFailure(ex))
            {
                evaluationFailed?.Invoke(ex);
                return null;
            }
        }

        var fireTimes = new List<DateTimeOffset>();
        var next = definition.NextFireTime is { } stored && end.Allows(stored) ? stored : (DateTimeOffset?)null; // an update may have moved the end before it
        var misfireBefore = now - misfireThreshold;
        if (next is { } first && first < misfireBefore)
        {
            switch (definition.Misfire)
            {
                case MisfirePolicy.FireAll:
                    while (next is { } missed && missed < misfireBefore && fireTimes.Count < maxOccurrences)
                    {
                        fireTimes.Add(missed);
                        next = NextAfter(missed);
                    }

                    break;
                case MisfirePolicy.FireOnce:
                    fireTimes.Add(first);
                    next = NextAfter(Later(first, misfireBefore.AddTicks(-1)));
                    break;
                default:
                    next = NextAfter(Later(first, misfireBefore.AddTicks(-1)));
                    break;
            }
        }

        while (next is { } fire && fire <= horizon && fireTimes.Count < maxOccurrences)
        {
            fireTimes.Add(fire);
            next = NextAfter(fire);
        }

        // Jitter: each occurrence is due a delay after its fire time, capped at the next fire time (the planned one after it, or the plan's
        // next), so occurrences stay in order.
        var instances = fireTimes.Select((fire, i) =>
        {
            var jitter = OccurrenceJitter.Delay(definition.Id, fire, definition.Jitter, i + 1 < fireTimes.Count ? fireTimes[i + 1] : next);
            if (calendar?.Excludes(fire) is { } reason)
            {
                return new TaskInstance
                {
                    Id = Guid.CreateVersion7(fire),
                    DefinitionId = definition.Id,
                    FireTime = fire,
                    Status = TaskInstanceState.Skipped,
                    FinishedAt = now,
                    LastError = $"Excluded by calendar '{definition.Calendar}': {reason}.",
                    ExpireAfter = definition.ExpireAfter,
                    Retry = definition.Retry,
                };
            }

            return new TaskInstance
            {
                Id = Guid.CreateVersion7(fire),
                DefinitionId = definition.Id,
                FireTime = fire,
                Jitter = jitter,
                Status = TaskInstanceState.Scheduled,
                DueAt = fire + jitter,
                ExpireAfter = definition.ExpireAfter,
                Retry = definition.Retry,
            };
        }).ToList();
        return new Storage.MaterializePlan(instances, next);
    }

    /// <summary>The trigger's first fire time after <paramref name="after"/> within <paramref name="end"/>, or <see langword="null"/>: the
    /// occurrence a definition plans next (and the one its operators' views show next, <see cref="Definitions.TaskViews.UpcomingFireTimes"/>).</summary>
    /// <exception cref="Exception">What the trigger throws (<see cref="TriggerInstants.IsEvaluationFailure"/>).</exception>
    internal static DateTimeOffset? NextOccurrence(ITrigger trigger, TaskEnd end, DateTimeOffset after) =>
        trigger.GetNextFireTime(after) is { } fire && TriggerInstants.Contains(fire) && end.Allows(fire) ? fire : null;

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
