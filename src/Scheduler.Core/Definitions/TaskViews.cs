using Scheduler.Contracts;

namespace Scheduler.Core.Definitions;

/// <summary>The stored definitions and instances as the contracts show them to other services.</summary>
public static class TaskViews
{
    /// <summary>The contract view of <paramref name="definition"/>.</summary>
    public static TaskInfo ToInfo(this TaskDefinition definition)
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
            NextFireTime = definition.NextFireTime,
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

    /// <summary>The contract view of <paramref name="instance"/>.</summary>
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
