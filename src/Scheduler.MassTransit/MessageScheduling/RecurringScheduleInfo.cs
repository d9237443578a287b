namespace Scheduler.MassTransit.MessageScheduling;

/// <summary>What a delivery of a recurring scheduled message needs of its schedule to write MassTransit's scheduling headers.</summary>
/// <param name="Cron">The Cronos expression the task fires on (6 fields).</param>
/// <param name="TimeZoneId">The schedule's zone (a Windows id is read too), or <see langword="null"/> for UTC.</param>
/// <param name="StartTime">The schedule's start.</param>
/// <param name="EndTime">The schedule's end, if any.</param>
/// <param name="ScheduleId">The schedule's id.</param>
/// <param name="ScheduleGroup">The schedule's group.</param>
internal sealed record RecurringScheduleInfo(string Cron, string? TimeZoneId, DateTimeOffset StartTime, DateTimeOffset? EndTime, string ScheduleId,
    string? ScheduleGroup);
