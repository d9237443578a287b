namespace Scheduler.Contracts;

/// <summary>Reply to <see cref="SetCalendar"/>: the calendar as stored now.</summary>
public sealed record CalendarChanged
{
    /// <summary>The calendar after the command.</summary>
    public required CalendarInfo Calendar { get; init; }

    /// <summary><see langword="false"/> when the command set what was stored already.</summary>
    public required bool Changed { get; init; }

    /// <summary>How many tasks that name the calendar were planned again with it.</summary>
    public required int TasksReplanned { get; init; }
}
