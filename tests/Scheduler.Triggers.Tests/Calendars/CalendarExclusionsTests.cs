using Scheduler.Triggers.Calendars;

namespace Scheduler.Triggers.Tests.Calendars;

/// <summary>Issue #23, item 5: what a calendar excludes (dates, ranges, cron, RRULE days, iCalendar events), read in its own zone or the
/// task's, and the errors that name a part it cannot read.</summary>
public class CalendarExclusionsTests
{
    private const string Holidays = """
        BEGIN:VCALENDAR
        VERSION:2.0
        PRODID:-//test//holidays//EN
        BEGIN:VEVENT
        UID:christmas@test
        DTSTAMP:20250101T000000Z
        SUMMARY:Christmas Day
        DTSTART;VALUE=DATE:20251225
        DTEND;VALUE=DATE:20251226
        RRULE:FREQ=YEARLY
        END:VEVENT
        BEGIN:VEVENT
        UID:offsite@test
        DTSTAMP:20250101T000000Z
        SUMMARY:Offsite
        DTSTART;TZID=Europe/Berlin:20250310T130000
        DTEND;TZID=Europe/Berlin:20250310T170000
        END:VEVENT
        END:VCALENDAR
        """;

    [Theory]
    // instant (UTC) | zone the calendar is read in (the task's) | excluded because, or "" when not
    [InlineData("2025-12-25T09:00:00Z", "UTC", "date 2025-12-25")]
    [InlineData("2025-12-24T23:30:00Z", "Europe/Berlin", "date 2025-12-25")] // already 25 December in Berlin
    [InlineData("2025-12-24T23:30:00Z", "UTC", "cron '* 18-23 * * *'")] // still the 24th in UTC, in the evening
    [InlineData("2025-12-30T12:00:00Z", "UTC", "date 2025-12-29..2026-01-01")]
    [InlineData("2026-01-01T23:59:59Z", "UTC", "date 2025-12-29..2026-01-01")]
    [InlineData("2026-01-02T00:00:00Z", "UTC", "")] // a Friday after the range
    [InlineData("2025-06-07T10:00:00Z", "UTC", "cron '* * * * 6'")] // a Saturday
    [InlineData("2025-06-09T19:30:00Z", "UTC", "cron '* 18-23 * * *'")]
    [InlineData("2025-06-09T17:59:00Z", "UTC", "")]
    [InlineData("2025-05-01T08:00:00Z", "UTC", "RRULE 'FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=1' on 2025-05-01")]
    [InlineData("2026-05-01T08:00:00Z", "UTC", "RRULE 'FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=1' on 2026-05-01")]
    [InlineData("2025-05-02T08:00:00Z", "UTC", "")]
    [InlineData("2025-05-26T08:00:00Z", "UTC", "RRULE 'FREQ=YEARLY;BYMONTH=5;BYDAY=-1MO' on 2025-05-26")] // the last Monday of May
    [InlineData("2025-05-19T08:00:00Z", "UTC", "")]
    public void Excludes_DatesRangesCronAndRRuleDays_InTheTasksZone(string instant, string zone, string because)
    {
        var spec = new CalendarSpec
        {
            Dates = ["2025-12-25", "2025-12-29..2026-01-01"], Cron = ["* * * * 6", "* 18-23 * * *"],
            RRules = ["FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=1", "FREQ=YEARLY;BYMONTH=5;BYDAY=-1MO"],
        };

        var reason = CalendarExclusions.Compile(spec, TimeZones.Find(zone)).Excludes(Fires.Instant(instant));

        Assert.Equal(because, reason ?? "");
    }

    [Theory]
    [InlineData("2026-12-25T10:00:00Z", "event 'Christmas Day' on 2026-12-25")] // the yearly all-day event, in the calendar's zone
    [InlineData("2026-12-24T23:30:00Z", "event 'Christmas Day' on 2026-12-25")] // 00:30 on the 25th in Berlin
    [InlineData("2026-12-26T00:00:00Z", "")]
    [InlineData("2025-03-10T12:30:00Z", "event 'Offsite' on 2025-03-10")] // 13:30 in Berlin (TZID)
    [InlineData("2025-03-10T16:00:00Z", "")] // 17:00 in Berlin: the event's end is not in it
    public void Excludes_TheEventsOfAnICalendarFile_AllDayRecurringAndTimed(string instant, string because)
    {
        var spec = new CalendarSpec { TimeZone = "Europe/Berlin", ICalendar = Holidays };

        Assert.Equal(because, CalendarExclusions.Compile(spec, TimeZones.Find("UTC")).Excludes(Fires.Instant(instant)) ?? "");
    }

    [Theory]
    [InlineData("2025-13-01", null, null, null, "Calendar date '2025-13-01' is not a date or a range")]
    [InlineData("2026-01-02..2025-12-29", null, null, null, "the first not after the last")]
    [InlineData(null, "61 * * * *", null, null, "Calendar cron '61 * * * *' is not valid")]
    [InlineData(null, "* * *", null, null, "Calendar cron '* * *' is not valid (3 fields)")]
    [InlineData(null, null, "FREQ=SOMETIMES", null, "Calendar RRULE 'FREQ=SOMETIMES' is not valid")]
    [InlineData(null, null, null, "BEGIN:VCALENDAR\nEND:VCALENDAR", "has no events (VEVENT)")]
    [InlineData(null, null, null, null, "The calendar excludes nothing")]
    public void Compile_RejectsAnUnreadablePart_NamingItAndTheForm(string? date, string? cron, string? rrule, string? ics, string reason)
    {
        var spec = new CalendarSpec
        {
            Dates = date is null ? [] : [date], Cron = cron is null ? [] : [cron], RRules = rrule is null ? [] : [rrule], ICalendar = ics,
        };

        var ex = Assert.Throws<TriggerFormatException>(() => CalendarExclusions.Compile(spec, NodaTime.DateTimeZone.Utc));

        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }
}
