using MassTransit;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Triggers;

namespace Scheduler.MassTransit.MessageScheduling;

/// <summary>
/// The scheduling headers MassTransit's Quartz integration writes on every delivered message (its <c>JobDataMessageContext</c>), which
/// MassTransit's <c>GetSchedulingTokenId()</c> and <c>GetQuartz*()</c> helpers read, and its sagas' <c>Schedule</c> uses to drop a superseded
/// timeout: <c>MT-Scheduling-TokenId</c> (the token, "N" format), <c>MT-Quartz-Scheduled</c> (the occurrence's fire time),
/// <c>MT-Quartz-Sent</c> (when it was sent), <c>MT-Quartz-NextScheduled</c> and <c>MT-Quartz-PreviousSent</c> (a recurring schedule's next
/// and previous fire times; none for a one-off message, none before the first), <c>MT-Quartz-ScheduleId</c> and
/// <c>MT-Quartz-ScheduleGroup</c> (a recurring schedule's id and group; a one-off message's token and <c>DEFAULT</c>, Quartz's trigger key).
/// </summary>
internal static class QuartzHeaders
{
    /// <summary>The headers of the delivery of <paramref name="due"/>, whose stored message is <paramref name="envelope"/>, sent at
    /// <paramref name="sentAt"/> (UTC). Values are <see cref="DateTimeOffset"/>s and strings, as Quartz's.</summary>
    public static IReadOnlyList<KeyValuePair<string, object>> For(ScheduledMessageEnvelope envelope, TaskDue due, DateTimeOffset sentAt)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(due);
        var headers = new List<KeyValuePair<string, object>>
        {
            new(MessageHeaders.SchedulingTokenId, (envelope.TokenId ?? due.TaskId).ToString("N")),
            new(MessageHeaders.Quartz.Scheduled, due.FireTime),
            new(MessageHeaders.Quartz.Sent, sentAt),
        };
        if (envelope.Recurring is not { } schedule)
        {
            headers.Add(new(MessageHeaders.Quartz.ScheduleId, (envelope.TokenId ?? due.TaskId).ToString("N")));
            headers.Add(new(MessageHeaders.Quartz.ScheduleGroup, "DEFAULT"));
            return headers;
        }

        headers.Add(new(MessageHeaders.Quartz.ScheduleId, schedule.ScheduleId));
        headers.Add(new(MessageHeaders.Quartz.ScheduleGroup, string.IsNullOrEmpty(schedule.ScheduleGroup) ? "DEFAULT" : schedule.ScheduleGroup));

        var trigger = CronTrigger.Parse(schedule.Cron, TimeZones.Find(schedule.TimeZoneId));
        var end = new TaskEnd(schedule.EndTime, null, null);
        if (trigger.GetNextFireTime(due.FireTime) is { } next && end.Allows(next))
        {
            headers.Add(new(MessageHeaders.Quartz.NextScheduled, next));
        }

        if (Previous(trigger, due.FireTime, schedule.StartTime) is { } previous)
        {
            headers.Add(new(MessageHeaders.Quartz.PreviousSent, previous));
        }

        return headers;
    }

    /// <summary>The last fire time of <paramref name="trigger"/> before <paramref name="fireTime"/> and at or after <paramref name="start"/>:
    /// looked for in windows that double from a minute back, then walked forward.</summary>
    private static DateTimeOffset? Previous(CronTrigger trigger, DateTimeOffset fireTime, DateTimeOffset start)
    {
        for (var window = TimeSpan.FromMinutes(1); ; window *= 2)
        {
            var from = fireTime - window < start ? start : fireTime - window;
            DateTimeOffset? previous = null;
            for (var candidate = trigger.GetNextFireTime(from.AddTicks(-1)); candidate is { } c && c < fireTime; candidate = trigger.GetNextFireTime(c))
            {
                previous = c;
            }

            if (previous is not null || from == start || window > TimeSpan.FromDays(3660))
            {
                return previous;
            }
        }
    }
}
