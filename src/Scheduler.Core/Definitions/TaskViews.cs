using Scheduler.Contracts;

namespace Scheduler.Core.Definitions;

/// <summary>The stored definitions and instances as the contracts show them to other services.</summary>
public static class TaskViews
{
    /// <summary>The contract view of <paramref name="definition"/>.</summary>
    /// <param name="definition">The stored definition.</param>
    /// <param name="nextFireTime">The task's next fire time (<see cref="NextFireTime"/>), shown as <see cref="TaskInfo.NextFireTime"/>.</param>
    /// <param name="upcomingFireTimes">Its upcoming fire times (<see cref="UpcomingFireTimes"/>), for the view of one task; <see langword="null"/>
    /// when not asked for.</param>
    public static TaskInfo ToInfo(this TaskDefinition definition, DateTimeOffset? nextFireTime, IReadOnlyList<DateTimeOffset>? upcomingFireTimes = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return new TaskInfo
        {
            TaskId = definition.Id,
            State = definition.State,
            TriggerKind = definition.TriggerKind,
            Trigger = definition.Trigger,
            TriggerPhrase = definition.TriggerPhrase,
            TimeZone = definition.TimeZoneId,
            StartAt = definition.StartAt,
            NextFireTime = nextFireTime,
            UpcomingFireTimes = upcomingFireTimes,
            Metadata = definition.Metadata,
            Payload = definition.Payload,
            ExpireAfter = definition.ExpireAfter,
            Retry = definition.Retry,
            Misfire = definition.Misfire,
            Overlap = definition.Overlap,
            Jitter = definition.Jitter,
            Calendar = definition.Calendar,
            EndAt = definition.EndAt,
            MaxOccurrences = definition.MaxOccurrences,
            LastFireTime = definition.LastFireTime,
            DestinationQueue = definition.DestinationQueue,
            IdempotencyKey = definition.IdempotencyKey,
            CreatedAt = definition.CreatedAt,
            PausedAt = definition.PausedAt,
            CancelledAt = definition.CancelledAt,
        };
    }

    /// <summary>
    /// The task's next fire time as operators see it: the earliest fire time that will still fire — the earliest of
    /// <paramref name="earliestPending"/> (its occurrences already planned as task instances and not begun, after now:
    /// <see cref="Storage.IAdminStore.GetNextPendingFireTimesAsync"/>) and the scheduler loop's planning cursor
    /// (<see cref="TaskDefinition.NextFireTime"/>, the next fire time not yet planned). <see langword="null"/> for a paused or cancelled task,
    /// and for one with neither (its trigger or end reached, nothing left to fire).
    /// </summary>
    /// <remarks>An occurrence whose fire time has passed and is about to be dispatched, an extra run added by TriggerTaskNow (due now) and a
    /// retry waiting for its next attempt are not next fire times: the first two fire now, the last fired already.</remarks>
    public static DateTimeOffset? NextFireTime(TaskDefinition definition, DateTimeOffset? earliestPending)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (definition.CancelledAt is not null || definition.PausedAt is not null)
        {
            return null;
        }

        return (earliestPending, definition.NextFireTime) switch
        {
            ({ } pending, { } cursor) => pending < cursor ? pending : cursor,
            var (pending, cursor) => pending ?? cursor,
        };
    }

    /// <summary>
    /// The task's next <paramref name="count"/> fire times that will fire, earliest first: <paramref name="pending"/> (its occurrences planned
    /// and not begun, after now: <see cref="Storage.IAdminStore.GetPendingFireTimesAsync"/>), then its trigger's fire times from the planning
    /// cursor on (<see cref="TaskDefinition.NextFireTime"/>), in the task's time zone, within its end (<see cref="TaskDefinition.End"/>), less
    /// those <paramref name="calendar"/> excludes (they would be skipped). Empty for a paused or cancelled task. The first is
    /// <see cref="NextFireTime"/> unless the calendar excludes that one.
    /// </summary>
    /// <param name="definition">The stored definition.</param>
    /// <param name="trigger">Its trigger (<see cref="Triggers.TriggerFactory.Create"/>).</param>
    /// <param name="pending">Fire times (UTC) of its occurrences planned and not begun, after now.</param>
    /// <param name="count">The most fire times: 0 or more.</param>
    /// <param name="calendar">Its calendar read for its zone, if it names one.</param>
    /// <returns>Up to <paramref name="count"/> fire times (UTC), ascending; fewer when the trigger or the end comes first, or when the
    /// calendar excludes every one of the next 10,000 fire times.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public static IReadOnlyList<DateTimeOffset> UpcomingFireTimes(TaskDefinition definition, Triggers.ITrigger trigger, IReadOnlyList<DateTimeOffset> pending,
        int count, Triggers.Calendars.CalendarExclusions? calendar = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(trigger);
        ArgumentNullException.ThrowIfNull(pending);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0 || definition.CancelledAt is not null || definition.PausedAt is not null)
        {
            return [];
        }

        var fireTimes = new SortedSet<DateTimeOffset>(pending);
        var end = definition.End;
        var next = definition.NextFireTime is { } cursor && end.Allows(cursor) ? cursor : (DateTimeOffset?)null;
        try
        {
            for (var looked = 0; next is { } fire && looked < MaxCandidates && (fireTimes.Count < count || fire < fireTimes.Max); looked++)
            {
                if (calendar?.Excludes(fire) is null)
                {
                    fireTimes.Add(fire);
                }

                next = Runtime.OccurrencePlanner.NextOccurrence(trigger, end, fire);
            }
        }
        catch (Exception ex) when (Triggers.TriggerInstants.IsEvaluationFailure(ex))
        {
            // the scheduler loop ends such a task after what it planned (SchedulerLoop): the fire times found so far are what is left
        }

        return fireTimes.Take(count).ToList();
    }

    // The most fire times of the trigger looked at for the upcoming ones (a calendar may exclude most of them).
    private const int MaxCandidates = 10_000;

    /// <summary>The contract view of <paramref name="instance"/> with its attempt history (<see cref="Storage.TaskInstanceLifecycle.History"/>
    /// of <paramref name="attempts"/>, which may hold other instances' rows too).</summary>
    public static TaskInstanceInfo ToInfo(this TaskInstance instance, IEnumerable<TaskAttempt> attempts) =>
        instance.ToInfo() with { Attempts = Storage.TaskInstanceLifecycle.History(instance, attempts) };

    /// <summary>The contract view of <paramref name="instance"/>, without its attempt history.</summary>
    public static TaskInstanceInfo ToInfo(this TaskInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return new TaskInstanceInfo
        {
            InstanceId = instance.Id,
            FireTime = instance.FireTime,
            Jitter = instance.Jitter,
            State = instance.Status,
            Attempt = instance.Attempt,
            MaxAttempts = instance.MaxAttempts,
            DueAt = instance.DueAt,
            DispatchedAt = instance.DispatchedAt,
            StartedAt = instance.StartedAt,
            CompletedAt = instance.CompletedAt,
            FailedAt = instance.FailedAt,
            FinishedAt = instance.FinishedAt,
            LastError = instance.LastError,
        };
    }

    /// <summary>The contract view of <paramref name="calendar"/>.</summary>
    public static CalendarInfo ToInfo(this Calendars.TaskCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        return new CalendarInfo
        {
            Name = calendar.Name,
            Description = calendar.Spec.Description,
            TimeZone = calendar.Spec.TimeZone,
            Dates = calendar.Spec.Dates,
            Cron = calendar.Spec.Cron,
            RRules = calendar.Spec.RRules,
            ICalendar = calendar.Spec.ICalendar,
            Version = calendar.Version,
            CreatedAt = calendar.CreatedAt,
            ChangedAt = calendar.ChangedAt,
        };
    }
}
