namespace Scheduler.Triggers.Tests;

/// <summary>
/// The phrase table: every phrase issue #9 names and the forms of docs/triggers.md. Fire times are from 2025-01-01T10:30:00 (a Wednesday)
/// read in the row's zone, strictly after it, at most three; checked by hand against the calendar (2025-01-01 Wednesday, 2025-01-06
/// Monday, 2025-09-01 Monday) and the rules of docs/triggers.md (no time of day: 00:00 for calendar phrases; intervals that divide the
/// hour or day align to the clock, others count from the start; RRULE DTSTART is the first occurrence at or after the start).
/// </summary>
internal static class PhraseTable
{
    /// <summary>The rows of <see cref="Accepted"/>: phrase, zone, normalized form, fire times.</summary>
    public static TheoryData<string, string, string, string> AcceptedRows()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var row in Rows(Accepted))
        {
            data.Add(row[0], row[1], row[2], row[3]);
        }

        return data;
    }

    /// <summary>The rows of <see cref="Rejected"/>: phrase, reason, a suggestion.</summary>
    public static TheoryData<string, string, string> RejectedRows()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var row in Rows(Rejected))
        {
            data.Add(row[0], row[1], row[2]);
        }

        return data;
    }

    /// <summary>The cells of each line of <paramref name="table"/>.</summary>
    public static List<string[]> Rows(string table) =>
        table.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(" | ", StringSplitOptions.TrimEntries)).ToList();

    /// <summary>The start the table's fire times are from: 2025-01-01T10:30:00 (a Wednesday) in <paramref name="zone"/>.</summary>
    public static DateTimeOffset Start(string zone) => WallClock.ToInstant(new DateTime(2025, 1, 1, 10, 30, 0), TimeZones.Find(zone));

    /// <summary>Accepted: phrase | zone | normalized form (RRULE lines joined by " / ", a one-shot's UTC instant) | fire times.</summary>
    public const string Accepted = """
hourly | UTC | 0 * * * * | 2025-01-01T11:00:00+00:00 2025-01-01T12:00:00+00:00 2025-01-01T13:00:00+00:00
every hour | UTC | 0 * * * * | 2025-01-01T11:00:00+00:00 2025-01-01T12:00:00+00:00 2025-01-01T13:00:00+00:00
every 5 min | UTC | */5 * * * * | 2025-01-01T10:35:00+00:00 2025-01-01T10:40:00+00:00 2025-01-01T10:45:00+00:00
every 5 mins | UTC | */5 * * * * | 2025-01-01T10:35:00+00:00 2025-01-01T10:40:00+00:00 2025-01-01T10:45:00+00:00
every 15 minutes | UTC | */15 * * * * | 2025-01-01T10:45:00+00:00 2025-01-01T11:00:00+00:00 2025-01-01T11:15:00+00:00
every quarter hour | UTC | */15 * * * * | 2025-01-01T10:45:00+00:00 2025-01-01T11:00:00+00:00 2025-01-01T11:15:00+00:00
every quarter of an hour | UTC | */15 * * * * | 2025-01-01T10:45:00+00:00 2025-01-01T11:00:00+00:00 2025-01-01T11:15:00+00:00
every half hour | UTC | */30 * * * * | 2025-01-01T11:00:00+00:00 2025-01-01T11:30:00+00:00 2025-01-01T12:00:00+00:00
every 30 seconds | UTC | */30 * * * * * | 2025-01-01T10:30:30+00:00 2025-01-01T10:31:00+00:00 2025-01-01T10:31:30+00:00
every 10 secs | UTC | */10 * * * * * | 2025-01-01T10:30:10+00:00 2025-01-01T10:30:20+00:00 2025-01-01T10:30:30+00:00
every second | UTC | * * * * * * | 2025-01-01T10:30:01+00:00 2025-01-01T10:30:02+00:00 2025-01-01T10:30:03+00:00
every minute | UTC | * * * * * | 2025-01-01T10:31:00+00:00 2025-01-01T10:32:00+00:00 2025-01-01T10:33:00+00:00
every 2 hours | Europe/Berlin | 0 */2 * * * | 2025-01-01T12:00:00+01:00 2025-01-01T14:00:00+01:00 2025-01-01T16:00:00+01:00
every 2 hrs | UTC | 0 */2 * * * | 2025-01-01T12:00:00+00:00 2025-01-01T14:00:00+00:00 2025-01-01T16:00:00+00:00
every 3 hours | UTC | 0 */3 * * * | 2025-01-01T12:00:00+00:00 2025-01-01T15:00:00+00:00 2025-01-01T18:00:00+00:00
every 7 minutes | UTC | DTSTART:20250101T103000Z / RRULE:FREQ=MINUTELY;INTERVAL=7 | 2025-01-01T10:37:00+00:00 2025-01-01T10:44:00+00:00 2025-01-01T10:51:00+00:00
every 90 minutes | UTC | DTSTART:20250101T103000Z / RRULE:FREQ=MINUTELY;INTERVAL=90 | 2025-01-01T12:00:00+00:00 2025-01-01T13:30:00+00:00 2025-01-01T15:00:00+00:00
every 45 minutes | UTC | DTSTART:20250101T103000Z / RRULE:FREQ=MINUTELY;INTERVAL=45 | 2025-01-01T11:15:00+00:00 2025-01-01T12:00:00+00:00 2025-01-01T12:45:00+00:00
every 5 hours | UTC | DTSTART:20250101T103000Z / RRULE:FREQ=HOURLY;INTERVAL=5 | 2025-01-01T15:30:00+00:00 2025-01-01T20:30:00+00:00 2025-01-02T01:30:00+00:00
every 25 seconds | UTC | DTSTART:20250101T103000Z / RRULE:FREQ=SECONDLY;INTERVAL=25 | 2025-01-01T10:30:25+00:00 2025-01-01T10:30:50+00:00 2025-01-01T10:31:15+00:00
every twenty minutes | UTC | */20 * * * * | 2025-01-01T10:40:00+00:00 2025-01-01T11:00:00+00:00 2025-01-01T11:20:00+00:00
every 2 hours between 9am and 5pm | UTC | 0 9-17/2 * * * | 2025-01-01T11:00:00+00:00 2025-01-01T13:00:00+00:00 2025-01-01T15:00:00+00:00
every hour between 9am and 5pm | UTC | 0 9-17 * * * | 2025-01-01T11:00:00+00:00 2025-01-01T12:00:00+00:00 2025-01-01T13:00:00+00:00
every 30 minutes between 9am and 5pm | UTC | */30 9-16 * * * | 2025-01-01T11:00:00+00:00 2025-01-01T11:30:00+00:00 2025-01-01T12:00:00+00:00
every 15 minutes from 9am to 5pm | UTC | */15 9-16 * * * | 2025-01-01T10:45:00+00:00 2025-01-01T11:00:00+00:00 2025-01-01T11:15:00+00:00
every 30 minutes between 9am and 5pm on weekdays | UTC | */30 9-16 * * 1-5 | 2025-01-01T11:00:00+00:00 2025-01-01T11:30:00+00:00 2025-01-01T12:00:00+00:00
every hour on weekdays | UTC | 0 * * * 1-5 | 2025-01-01T11:00:00+00:00 2025-01-01T12:00:00+00:00 2025-01-01T13:00:00+00:00
every 10 minutes on mondays | UTC | */10 * * * 1 | 2025-01-06T00:00:00+00:00 2025-01-06T00:10:00+00:00 2025-01-06T00:20:00+00:00
every 2 hours between 10pm and 6am | UTC | 0 22,0,2,4,6 * * * | 2025-01-01T22:00:00+00:00 2025-01-02T00:00:00+00:00 2025-01-02T02:00:00+00:00
every 5 hours between 8am and 8pm | UTC | 0 8-20/5 * * * | 2025-01-01T13:00:00+00:00 2025-01-01T18:00:00+00:00 2025-01-02T08:00:00+00:00
every 90 minutes starting at 9am | UTC | DTSTART:20250102T090000Z / RRULE:FREQ=MINUTELY;INTERVAL=90 | 2025-01-02T09:00:00+00:00 2025-01-02T10:30:00+00:00 2025-01-02T12:00:00+00:00
every 15 minutes until 5pm | UTC | */15 * * * * ; EndAt=2025-01-01T17:00:00.000Z | 2025-01-01T10:45:00+00:00 2025-01-01T11:00:00+00:00 2025-01-01T11:15:00+00:00
every 30 minutes for 4 times | UTC | */30 * * * * ; MaxOccurrences=4 | 2025-01-01T11:00:00+00:00 2025-01-01T11:30:00+00:00 2025-01-01T12:00:00+00:00
every hour except weekends | UTC | 0 * * * 1-5 | 2025-01-01T11:00:00+00:00 2025-01-01T12:00:00+00:00 2025-01-01T13:00:00+00:00
every 20 minutes in december | UTC | */20 * * 12 * | 2025-12-01T00:00:00+00:00 2025-12-01T00:20:00+00:00 2025-12-01T00:40:00+00:00
daily | UTC | 0 0 * * * | 2025-01-02T00:00:00+00:00 2025-01-03T00:00:00+00:00 2025-01-04T00:00:00+00:00
daily at 9am | UTC | 0 9 * * * | 2025-01-02T09:00:00+00:00 2025-01-03T09:00:00+00:00 2025-01-04T09:00:00+00:00
daily at 9 | UTC | 0 9 * * * | 2025-01-02T09:00:00+00:00 2025-01-03T09:00:00+00:00 2025-01-04T09:00:00+00:00
daily at 17 | UTC | 0 17 * * * | 2025-01-01T17:00:00+00:00 2025-01-02T17:00:00+00:00 2025-01-03T17:00:00+00:00
at 9am every day | UTC | 0 9 * * * | 2025-01-02T09:00:00+00:00 2025-01-03T09:00:00+00:00 2025-01-04T09:00:00+00:00
at 9am daily | UTC | 0 9 * * * | 2025-01-02T09:00:00+00:00 2025-01-03T09:00:00+00:00 2025-01-04T09:00:00+00:00
every day | UTC | 0 0 * * * | 2025-01-02T00:00:00+00:00 2025-01-03T00:00:00+00:00 2025-01-04T00:00:00+00:00
every day at 9am | America/New_York | 0 9 * * * | 2025-01-02T09:00:00-05:00 2025-01-03T09:00:00-05:00 2025-01-04T09:00:00-05:00
every day at 9am and 5pm | UTC | 0 9,17 * * * | 2025-01-01T17:00:00+00:00 2025-01-02T09:00:00+00:00 2025-01-02T17:00:00+00:00
every day at 9:30am and 5:30pm | UTC | 30 9,17 * * * | 2025-01-01T17:30:00+00:00 2025-01-02T09:30:00+00:00 2025-01-02T17:30:00+00:00
every day at 9.30am | UTC | 30 9 * * * | 2025-01-02T09:30:00+00:00 2025-01-03T09:30:00+00:00 2025-01-04T09:30:00+00:00
every day at 9.30pm | UTC | 30 21 * * * | 2025-01-01T21:30:00+00:00 2025-01-02T21:30:00+00:00 2025-01-03T21:30:00+00:00
every day at 09:30 | UTC | 30 9 * * * | 2025-01-02T09:30:00+00:00 2025-01-03T09:30:00+00:00 2025-01-04T09:30:00+00:00
every day at 17:45 | UTC | 45 17 * * * | 2025-01-01T17:45:00+00:00 2025-01-02T17:45:00+00:00 2025-01-03T17:45:00+00:00
every day at noon | UTC | 0 12 * * * | 2025-01-01T12:00:00+00:00 2025-01-02T12:00:00+00:00 2025-01-03T12:00:00+00:00
every day at midnight | UTC | 0 0 * * * | 2025-01-02T00:00:00+00:00 2025-01-03T00:00:00+00:00 2025-01-04T00:00:00+00:00
every day at midday | UTC | 0 12 * * * | 2025-01-01T12:00:00+00:00 2025-01-02T12:00:00+00:00 2025-01-03T12:00:00+00:00
every day at 9 am | UTC | 0 9 * * * | 2025-01-02T09:00:00+00:00 2025-01-03T09:00:00+00:00 2025-01-04T09:00:00+00:00
every day at 9 o'clock | UTC | 0 9 * * * | 2025-01-02T09:00:00+00:00 2025-01-03T09:00:00+00:00 2025-01-04T09:00:00+00:00
every day at 6:15 p.m. | UTC | 15 18 * * * | 2025-01-01T18:15:00+00:00 2025-01-02T18:15:00+00:00 2025-01-03T18:15:00+00:00
every day at 8am, noon and 6pm | UTC | 0 8,12,18 * * * | 2025-01-01T12:00:00+00:00 2025-01-01T18:00:00+00:00 2025-01-02T08:00:00+00:00
every day at 9:30am and 5pm | UTC | DTSTART:20250101T170000Z / RRULE:FREQ=DAILY;BYHOUR=9,17;BYMINUTE=0,30;BYSECOND=0;BYSETPOS=2,3 | 2025-01-01T17:00:00+00:00 2025-01-02T09:30:00+00:00 2025-01-02T17:00:00+00:00
every weekday at 8:15am and 4pm | UTC | DTSTART:20250101T160000Z / RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=8,16;BYMINUTE=0,15;BYSECOND=0;BYSETPOS=2,3 | 2025-01-01T16:00:00+00:00 2025-01-02T08:15:00+00:00 2025-01-02T16:00:00+00:00
every monday at 7:45am and 6pm | UTC | DTSTART:20250106T074500Z / RRULE:FREQ=DAILY;BYDAY=MO;BYHOUR=7,18;BYMINUTE=0,45;BYSECOND=0;BYSETPOS=2,3 | 2025-01-06T07:45:00+00:00 2025-01-06T18:00:00+00:00 2025-01-13T07:45:00+00:00
every day at 9am & 9pm | UTC | 0 9,21 * * * | 2025-01-01T21:00:00+00:00 2025-01-02T09:00:00+00:00 2025-01-02T21:00:00+00:00
each day at 7am | UTC | 0 7 * * * | 2025-01-02T07:00:00+00:00 2025-01-03T07:00:00+00:00 2025-01-04T07:00:00+00:00
once a day | UTC | 0 0 * * * | 2025-01-02T00:00:00+00:00 2025-01-03T00:00:00+00:00 2025-01-04T00:00:00+00:00
every day at 17:00 | Asia/Kolkata | 0 17 * * * | 2025-01-01T17:00:00+05:30 2025-01-02T17:00:00+05:30 2025-01-03T17:00:00+05:30
every day at 2:30am | America/New_York | 30 2 * * * | 2025-01-02T02:30:00-05:00 2025-01-03T02:30:00-05:00 2025-01-04T02:30:00-05:00
every day at 9am except weekends | UTC | 0 9 * * 1-5 | 2025-01-02T09:00:00+00:00 2025-01-03T09:00:00+00:00 2025-01-06T09:00:00+00:00
every day at 9am except friday | UTC | 0 9 * * 0-4,6 | 2025-01-02T09:00:00+00:00 2025-01-04T09:00:00+00:00 2025-01-05T09:00:00+00:00
every day except sundays at 10am | UTC | 0 10 * * 1-6 | 2025-01-02T10:00:00+00:00 2025-01-03T10:00:00+00:00 2025-01-04T10:00:00+00:00
daily except in august at 9am | UTC | 0 9 * 1-7,9-12 * | 2025-01-02T09:00:00+00:00 2025-01-03T09:00:00+00:00 2025-01-04T09:00:00+00:00
every day in december at 8am | UTC | 0 8 * 12 * | 2025-12-01T08:00:00+00:00 2025-12-02T08:00:00+00:00 2025-12-03T08:00:00+00:00
every weekday at 9am | UTC | 0 9 * * 1-5 | 2025-01-02T09:00:00+00:00 2025-01-03T09:00:00+00:00 2025-01-06T09:00:00+00:00
every weekday | UTC | 0 0 * * 1-5 | 2025-01-02T00:00:00+00:00 2025-01-03T00:00:00+00:00 2025-01-06T00:00:00+00:00
weekdays at 9am | UTC | 0 9 * * 1-5 | 2025-01-02T09:00:00+00:00 2025-01-03T09:00:00+00:00 2025-01-06T09:00:00+00:00
on weekdays at 9am | UTC | 0 9 * * 1-5 | 2025-01-02T09:00:00+00:00 2025-01-03T09:00:00+00:00 2025-01-06T09:00:00+00:00
at noon on weekdays | UTC | 0 12 * * 1-5 | 2025-01-01T12:00:00+00:00 2025-01-02T12:00:00+00:00 2025-01-03T12:00:00+00:00
every weekend at 10am | UTC | 0 10 * * 0,6 | 2025-01-04T10:00:00+00:00 2025-01-05T10:00:00+00:00 2025-01-11T10:00:00+00:00
weekends at 10am | UTC | 0 10 * * 0,6 | 2025-01-04T10:00:00+00:00 2025-01-05T10:00:00+00:00 2025-01-11T10:00:00+00:00
every workday at 8:30am | UTC | 30 8 * * 1-5 | 2025-01-02T08:30:00+00:00 2025-01-03T08:30:00+00:00 2025-01-06T08:30:00+00:00
every monday | UTC | 0 0 * * 1 | 2025-01-06T00:00:00+00:00 2025-01-13T00:00:00+00:00 2025-01-20T00:00:00+00:00
every monday at 9am | UTC | 0 9 * * 1 | 2025-01-06T09:00:00+00:00 2025-01-13T09:00:00+00:00 2025-01-20T09:00:00+00:00
mondays at 9am | UTC | 0 9 * * 1 | 2025-01-06T09:00:00+00:00 2025-01-13T09:00:00+00:00 2025-01-20T09:00:00+00:00
on mondays at 9am | UTC | 0 9 * * 1 | 2025-01-06T09:00:00+00:00 2025-01-13T09:00:00+00:00 2025-01-20T09:00:00+00:00
every tuesday and thursday at 6pm | UTC | 0 18 * * 2,4 | 2025-01-02T18:00:00+00:00 2025-01-07T18:00:00+00:00 2025-01-09T18:00:00+00:00
every monday, wednesday and friday at 7am | UTC | 0 7 * * 1,3,5 | 2025-01-03T07:00:00+00:00 2025-01-06T07:00:00+00:00 2025-01-08T07:00:00+00:00
every mon, wed, fri at 7am | UTC | 0 7 * * 1,3,5 | 2025-01-03T07:00:00+00:00 2025-01-06T07:00:00+00:00 2025-01-08T07:00:00+00:00
every monday to friday at 8am | UTC | 0 8 * * 1-5 | 2025-01-02T08:00:00+00:00 2025-01-03T08:00:00+00:00 2025-01-06T08:00:00+00:00
every mon-fri at 8am | UTC | 0 8 * * 1-5 | 2025-01-02T08:00:00+00:00 2025-01-03T08:00:00+00:00 2025-01-06T08:00:00+00:00
monday through friday at 8am | UTC | 0 8 * * 1-5 | 2025-01-02T08:00:00+00:00 2025-01-03T08:00:00+00:00 2025-01-06T08:00:00+00:00
from monday to friday at 8am | UTC | 0 8 * * 1-5 | 2025-01-02T08:00:00+00:00 2025-01-03T08:00:00+00:00 2025-01-06T08:00:00+00:00
every Monday and Friday at 8:15 AM | UTC | 15 8 * * 1,5 | 2025-01-03T08:15:00+00:00 2025-01-06T08:15:00+00:00 2025-01-10T08:15:00+00:00
every tues at 10am | UTC | 0 10 * * 2 | 2025-01-07T10:00:00+00:00 2025-01-14T10:00:00+00:00 2025-01-21T10:00:00+00:00
every thurs at 10am | UTC | 0 10 * * 4 | 2025-01-02T10:00:00+00:00 2025-01-09T10:00:00+00:00 2025-01-16T10:00:00+00:00
every sat and sun at 11am | UTC | 0 11 * * 0,6 | 2025-01-04T11:00:00+00:00 2025-01-05T11:00:00+00:00 2025-01-11T11:00:00+00:00
weekly | UTC | 0 0 * * 0 | 2025-01-05T00:00:00+00:00 2025-01-12T00:00:00+00:00 2025-01-19T00:00:00+00:00
every week | UTC | 0 0 * * 0 | 2025-01-05T00:00:00+00:00 2025-01-12T00:00:00+00:00 2025-01-19T00:00:00+00:00
weekly on monday | UTC | 0 0 * * 1 | 2025-01-06T00:00:00+00:00 2025-01-13T00:00:00+00:00 2025-01-20T00:00:00+00:00
weekly on monday at 9am | UTC | 0 9 * * 1 | 2025-01-06T09:00:00+00:00 2025-01-13T09:00:00+00:00 2025-01-20T09:00:00+00:00
weekly on friday and saturday at 10pm | UTC | 0 22 * * 5,6 | 2025-01-03T22:00:00+00:00 2025-01-04T22:00:00+00:00 2025-01-10T22:00:00+00:00
once a week | UTC | 0 0 * * 0 | 2025-01-05T00:00:00+00:00 2025-01-12T00:00:00+00:00 2025-01-19T00:00:00+00:00
every other tuesday at 9:34am | America/New_York | DTSTART;TZID=America/New_York:20250107T093400 / RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU | 2025-01-07T09:34:00-05:00 2025-01-21T09:34:00-05:00 2025-02-04T09:34:00-05:00
every other day at 7am | UTC | DTSTART:20250102T070000Z / RRULE:FREQ=DAILY;INTERVAL=2 | 2025-01-02T07:00:00+00:00 2025-01-04T07:00:00+00:00 2025-01-06T07:00:00+00:00
every other day | UTC | DTSTART:20250101T103000Z / RRULE:FREQ=DAILY;INTERVAL=2 | 2025-01-03T10:30:00+00:00 2025-01-05T10:30:00+00:00 2025-01-07T10:30:00+00:00
every other week on monday at 9am | UTC | DTSTART:20250106T090000Z / RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO | 2025-01-06T09:00:00+00:00 2025-01-20T09:00:00+00:00 2025-02-03T09:00:00+00:00
every 2nd day at 8am | UTC | DTSTART:20250102T080000Z / RRULE:FREQ=DAILY;INTERVAL=2 | 2025-01-02T08:00:00+00:00 2025-01-04T08:00:00+00:00 2025-01-06T08:00:00+00:00
every 3 days at 7am | UTC | DTSTART:20250102T070000Z / RRULE:FREQ=DAILY;INTERVAL=3 | 2025-01-02T07:00:00+00:00 2025-01-05T07:00:00+00:00 2025-01-08T07:00:00+00:00
every 3 days | UTC | DTSTART:20250101T103000Z / RRULE:FREQ=DAILY;INTERVAL=3 | 2025-01-04T10:30:00+00:00 2025-01-07T10:30:00+00:00 2025-01-10T10:30:00+00:00
every 2 weeks on monday at 9am | UTC | DTSTART:20250106T090000Z / RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO | 2025-01-06T09:00:00+00:00 2025-01-20T09:00:00+00:00 2025-02-03T09:00:00+00:00
every 2 weeks on monday and friday at 9am | UTC | DTSTART:20250103T090000Z / RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR | 2025-01-03T09:00:00+00:00 2025-01-13T09:00:00+00:00 2025-01-17T09:00:00+00:00
every 2 weeks | UTC | DTSTART:20250101T103000Z / RRULE:FREQ=WEEKLY;INTERVAL=2 | 2025-01-15T10:30:00+00:00 2025-01-29T10:30:00+00:00 2025-02-12T10:30:00+00:00
every two weeks | America/New_York | DTSTART;TZID=America/New_York:20250101T103000 / RRULE:FREQ=WEEKLY;INTERVAL=2 | 2025-01-15T10:30:00-05:00 2025-01-29T10:30:00-05:00 2025-02-12T10:30:00-05:00
fortnightly on friday at 9am | UTC | DTSTART:20250103T090000Z / RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=FR | 2025-01-03T09:00:00+00:00 2025-01-17T09:00:00+00:00 2025-01-31T09:00:00+00:00
fortnightly | UTC | DTSTART:20250101T103000Z / RRULE:FREQ=WEEKLY;INTERVAL=2 | 2025-01-15T10:30:00+00:00 2025-01-29T10:30:00+00:00 2025-02-12T10:30:00+00:00
every fortnight at 9am | UTC | DTSTART:20250102T090000Z / RRULE:FREQ=WEEKLY;INTERVAL=2 | 2025-01-02T09:00:00+00:00 2025-01-16T09:00:00+00:00 2025-01-30T09:00:00+00:00
every 2 months | UTC | DTSTART:20250101T103000Z / RRULE:FREQ=MONTHLY;INTERVAL=2 | 2025-03-01T10:30:00+00:00 2025-05-01T10:30:00+00:00 2025-07-01T10:30:00+00:00
every other month at 9am | UTC | DTSTART:20250102T090000Z / RRULE:FREQ=MONTHLY;INTERVAL=2 | 2025-01-02T09:00:00+00:00 2025-03-02T09:00:00+00:00 2025-05-02T09:00:00+00:00
every 2 years | UTC | DTSTART:20250101T103000Z / RRULE:FREQ=YEARLY;INTERVAL=2 | 2027-01-01T10:30:00+00:00 2029-01-01T10:30:00+00:00 2031-01-01T10:30:00+00:00
every 3 days except weekends | UTC | DTSTART:20250101T103000Z / RRULE:FREQ=DAILY;INTERVAL=3;BYDAY=MO,TU,WE,TH,FR | 2025-01-07T10:30:00+00:00 2025-01-10T10:30:00+00:00 2025-01-13T10:30:00+00:00
every fortnight on wednesday | UTC | DTSTART:20250108T000000Z / RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=WE | 2025-01-08T00:00:00+00:00 2025-01-22T00:00:00+00:00 2025-02-05T00:00:00+00:00
every 4 weeks on saturday at noon | UTC | DTSTART:20250104T120000Z / RRULE:FREQ=WEEKLY;INTERVAL=4;BYDAY=SA | 2025-01-04T12:00:00+00:00 2025-02-01T12:00:00+00:00 2025-03-01T12:00:00+00:00
monthly | UTC | 0 0 1 * * | 2025-02-01T00:00:00+00:00 2025-03-01T00:00:00+00:00 2025-04-01T00:00:00+00:00
every month | UTC | 0 0 1 * * | 2025-02-01T00:00:00+00:00 2025-03-01T00:00:00+00:00 2025-04-01T00:00:00+00:00
monthly on the 15th | UTC | 0 0 15 * * | 2025-01-15T00:00:00+00:00 2025-02-15T00:00:00+00:00 2025-03-15T00:00:00+00:00
monthly on the 15th at 9am | UTC | 0 9 15 * * | 2025-01-15T09:00:00+00:00 2025-02-15T09:00:00+00:00 2025-03-15T09:00:00+00:00
every month on the 15th at 9am | UTC | 0 9 15 * * | 2025-01-15T09:00:00+00:00 2025-02-15T09:00:00+00:00 2025-03-15T09:00:00+00:00
on the 15th of every month at 9am | UTC | 0 9 15 * * | 2025-01-15T09:00:00+00:00 2025-02-15T09:00:00+00:00 2025-03-15T09:00:00+00:00
on the 1st of every month at 8am | UTC | 0 8 1 * * | 2025-02-01T08:00:00+00:00 2025-03-01T08:00:00+00:00 2025-04-01T08:00:00+00:00
on the 1st and 15th of every month at noon | UTC | 0 12 1,15 * * | 2025-01-01T12:00:00+00:00 2025-01-15T12:00:00+00:00 2025-02-01T12:00:00+00:00
the 1st and 15th at noon | UTC | 0 12 1,15 * * | 2025-01-01T12:00:00+00:00 2025-01-15T12:00:00+00:00 2025-02-01T12:00:00+00:00
every month on the last day at 18:00 | UTC | 0 18 L * * | 2025-01-31T18:00:00+00:00 2025-02-28T18:00:00+00:00 2025-03-31T18:00:00+00:00
on the last day of the month at 6pm | UTC | 0 18 L * * | 2025-01-31T18:00:00+00:00 2025-02-28T18:00:00+00:00 2025-03-31T18:00:00+00:00
every last day of the month at 6pm | UTC | 0 18 L * * | 2025-01-31T18:00:00+00:00 2025-02-28T18:00:00+00:00 2025-03-31T18:00:00+00:00
every hour on the hour | UTC | 0 * * * * | 2025-01-01T11:00:00+00:00 2025-01-01T12:00:00+00:00 2025-01-01T13:00:00+00:00
on the last day of every month | UTC | 0 0 L * * | 2025-01-31T00:00:00+00:00 2025-02-28T00:00:00+00:00 2025-03-31T00:00:00+00:00
on day 10 of every month at 9am | UTC | 0 9 10 * * | 2025-01-10T09:00:00+00:00 2025-02-10T09:00:00+00:00 2025-03-10T09:00:00+00:00
every month on the 31st at 9am | UTC | 0 9 31 * * | 2025-01-31T09:00:00+00:00 2025-03-31T09:00:00+00:00 2025-05-31T09:00:00+00:00
every 2 months on the 1st at 9am | UTC | DTSTART:20250201T090000Z / RRULE:FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=1 | 2025-02-01T09:00:00+00:00 2025-04-01T09:00:00+00:00 2025-06-01T09:00:00+00:00
every other month on the 15th | UTC | DTSTART:20250115T000000Z / RRULE:FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=15 | 2025-01-15T00:00:00+00:00 2025-03-15T00:00:00+00:00 2025-05-15T00:00:00+00:00
every 3 months on the 1st | UTC | DTSTART:20250201T000000Z / RRULE:FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1 | 2025-02-01T00:00:00+00:00 2025-05-01T00:00:00+00:00 2025-08-01T00:00:00+00:00
quarterly | UTC | 0 0 1 1,4,7,10 * | 2025-04-01T00:00:00+00:00 2025-07-01T00:00:00+00:00 2025-10-01T00:00:00+00:00
quarterly on the 15th at 9am | UTC | 0 9 15 1,4,7,10 * | 2025-01-15T09:00:00+00:00 2025-04-15T09:00:00+00:00 2025-07-15T09:00:00+00:00
first monday of every month at noon | UTC | 0 12 * * 1#1 | 2025-01-06T12:00:00+00:00 2025-02-03T12:00:00+00:00 2025-03-03T12:00:00+00:00
the first monday of every month at noon | UTC | 0 12 * * 1#1 | 2025-01-06T12:00:00+00:00 2025-02-03T12:00:00+00:00 2025-03-03T12:00:00+00:00
on the first monday of the month at 9am | UTC | 0 9 * * 1#1 | 2025-01-06T09:00:00+00:00 2025-02-03T09:00:00+00:00 2025-03-03T09:00:00+00:00
last friday of the month at 17:00 | UTC | 0 17 * * 5L | 2025-01-31T17:00:00+00:00 2025-02-28T17:00:00+00:00 2025-03-28T17:00:00+00:00
the last friday of every month at 5pm | UTC | 0 17 * * 5L | 2025-01-31T17:00:00+00:00 2025-02-28T17:00:00+00:00 2025-03-28T17:00:00+00:00
every 2nd and 4th thursday at 10:00 | Europe/Berlin | DTSTART;TZID=Europe/Berlin:20250109T100000 / RRULE:FREQ=MONTHLY;BYDAY=2TH,4TH | 2025-01-09T10:00:00+01:00 2025-01-23T10:00:00+01:00 2025-02-13T10:00:00+01:00
the 2nd and 4th tuesday of every month at 7pm | UTC | DTSTART:20250114T190000Z / RRULE:FREQ=MONTHLY;BYDAY=2TU,4TU | 2025-01-14T19:00:00+00:00 2025-01-28T19:00:00+00:00 2025-02-11T19:00:00+00:00
the first and third monday of each month at 9am | UTC | DTSTART:20250106T090000Z / RRULE:FREQ=MONTHLY;BYDAY=1MO,3MO | 2025-01-06T09:00:00+00:00 2025-01-20T09:00:00+00:00 2025-02-03T09:00:00+00:00
every first monday at 9am | UTC | 0 9 * * 1#1 | 2025-01-06T09:00:00+00:00 2025-02-03T09:00:00+00:00 2025-03-03T09:00:00+00:00
every last sunday at 8pm | UTC | 0 20 * * 0L | 2025-01-26T20:00:00+00:00 2025-02-23T20:00:00+00:00 2025-03-30T20:00:00+00:00
the first and last friday of every month at 4pm | UTC | DTSTART:20250103T160000Z / RRULE:FREQ=MONTHLY;BYDAY=1FR,-1FR | 2025-01-03T16:00:00+00:00 2025-01-31T16:00:00+00:00 2025-02-07T16:00:00+00:00
yearly | UTC | 0 0 1 1 * | 2026-01-01T00:00:00+00:00 2027-01-01T00:00:00+00:00 2028-01-01T00:00:00+00:00
every year | UTC | 0 0 1 1 * | 2026-01-01T00:00:00+00:00 2027-01-01T00:00:00+00:00 2028-01-01T00:00:00+00:00
annually on january 1st | UTC | 0 0 1 1 * | 2026-01-01T00:00:00+00:00 2027-01-01T00:00:00+00:00 2028-01-01T00:00:00+00:00
every year on january 1st at midnight | UTC | 0 0 1 1 * | 2026-01-01T00:00:00+00:00 2027-01-01T00:00:00+00:00 2028-01-01T00:00:00+00:00
every year on july 4 at noon | UTC | 0 12 4 7 * | 2025-07-04T12:00:00+00:00 2026-07-04T12:00:00+00:00 2027-07-04T12:00:00+00:00
every jan 1 at 9am | UTC | 0 9 1 1 * | 2026-01-01T09:00:00+00:00 2027-01-01T09:00:00+00:00 2028-01-01T09:00:00+00:00
every year on the first monday of september at 9am | UTC | 0 9 * 9 1#1 | 2025-09-01T09:00:00+00:00 2026-09-07T09:00:00+00:00 2027-09-06T09:00:00+00:00
every december 25th at 7am | UTC | 0 7 25 12 * | 2025-12-25T07:00:00+00:00 2026-12-25T07:00:00+00:00 2027-12-25T07:00:00+00:00
on january 1st and july 1st every year | UTC | 0 0 1 1,7 * | 2025-07-01T00:00:00+00:00 2026-01-01T00:00:00+00:00 2026-07-01T00:00:00+00:00
every day at 9am starting 2025-02-01 | UTC | DTSTART:20250201T090000Z / RRULE:FREQ=DAILY | 2025-02-01T09:00:00+00:00 2025-02-02T09:00:00+00:00 2025-02-03T09:00:00+00:00
every day at 9am starting tomorrow | UTC | DTSTART:20250102T090000Z / RRULE:FREQ=DAILY | 2025-01-02T09:00:00+00:00 2025-01-03T09:00:00+00:00 2025-01-04T09:00:00+00:00
every monday at 9am starting next monday | UTC | DTSTART:20250106T090000Z / RRULE:FREQ=WEEKLY;BYDAY=MO | 2025-01-06T09:00:00+00:00 2025-01-13T09:00:00+00:00 2025-01-20T09:00:00+00:00
every day at 9am until 2025-01-05 | UTC | 0 9 * * * ; EndAt=2025-01-05T23:59:59.999Z | 2025-01-02T09:00:00+00:00 2025-01-03T09:00:00+00:00 2025-01-04T09:00:00+00:00
every day at 9am until 2025-01-03 at 8am | UTC | 0 9 * * * ; EndAt=2025-01-03T08:00:00.000Z | 2025-01-02T09:00:00+00:00
every day at 9am for 3 times | UTC | 0 9 * * * ; MaxOccurrences=3 | 2025-01-02T09:00:00+00:00 2025-01-03T09:00:00+00:00 2025-01-04T09:00:00+00:00
every monday at 9am for 2 times | UTC | 0 9 * * 1 ; MaxOccurrences=2 | 2025-01-06T09:00:00+00:00 2025-01-13T09:00:00+00:00
every other day at 7am until 2025-01-08 | UTC | DTSTART:20250102T070000Z / RRULE:FREQ=DAILY;INTERVAL=2 ; EndAt=2025-01-08T23:59:59.999Z | 2025-01-02T07:00:00+00:00 2025-01-04T07:00:00+00:00 2025-01-06T07:00:00+00:00
every hour starting 2025-01-01 at 12:15pm | UTC | DTSTART:20250101T121500Z / RRULE:FREQ=HOURLY | 2025-01-01T12:15:00+00:00 2025-01-01T13:15:00+00:00 2025-01-01T14:15:00+00:00
every 15 minutes starting at 11:05am | UTC | DTSTART:20250101T110500Z / RRULE:FREQ=MINUTELY;INTERVAL=15 | 2025-01-01T11:05:00+00:00 2025-01-01T11:20:00+00:00 2025-01-01T11:35:00+00:00
every day at 9am from 2025-03-01 | UTC | DTSTART:20250301T090000Z / RRULE:FREQ=DAILY | 2025-03-01T09:00:00+00:00 2025-03-02T09:00:00+00:00 2025-03-03T09:00:00+00:00
every week on monday at 9am starting 2025-01-13 for 3 times | UTC | DTSTART:20250113T090000Z / RRULE:FREQ=WEEKLY;BYDAY=MO ; MaxOccurrences=3 | 2025-01-13T09:00:00+00:00 2025-01-20T09:00:00+00:00 2025-01-27T09:00:00+00:00
every day at 9am for 2 weeks | UTC | 0 9 * * * ; EndAt=2025-01-15T10:29:59.999Z | 2025-01-02T09:00:00+00:00 2025-01-03T09:00:00+00:00 2025-01-04T09:00:00+00:00
every hour 5 times | UTC | 0 * * * * ; MaxOccurrences=5 | 2025-01-01T11:00:00+00:00 2025-01-01T12:00:00+00:00 2025-01-01T13:00:00+00:00
every 2 hours for 3 hours | UTC | 0 */2 * * * ; EndAt=2025-01-01T13:29:59.999Z | 2025-01-01T12:00:00+00:00
every 5 minutes for a day | Europe/Berlin | */5 * * * * ; EndAt=2025-01-02T09:29:59.999Z | 2025-01-01T10:35:00+01:00 2025-01-01T10:40:00+01:00 2025-01-01T10:45:00+01:00
tomorrow at 8 | UTC | 2025-01-02T08:00:00Z | 2025-01-02T08:00:00+00:00
tomorrow at 8am | America/New_York | 2025-01-02T13:00:00Z | 2025-01-02T08:00:00-05:00
tomorrow | UTC | 2025-01-02T00:00:00Z | 2025-01-02T00:00:00+00:00
tomorrow at noon | UTC | 2025-01-02T12:00:00Z | 2025-01-02T12:00:00+00:00
today at 5pm | UTC | 2025-01-01T17:00:00Z | 2025-01-01T17:00:00+00:00
at 8 tomorrow | UTC | 2025-01-02T08:00:00Z | 2025-01-02T08:00:00+00:00
next friday at noon | UTC | 2025-01-03T12:00:00Z | 2025-01-03T12:00:00+00:00
next wednesday at 9am | UTC | 2025-01-08T09:00:00Z | 2025-01-08T09:00:00+00:00
next monday | UTC | 2025-01-06T00:00:00Z | 2025-01-06T00:00:00+00:00
in 90 minutes | UTC | 2025-01-01T12:00:00Z | 2025-01-01T12:00:00+00:00
in 2 hours | UTC | 2025-01-01T12:30:00Z | 2025-01-01T12:30:00+00:00
in 1 hour | UTC | 2025-01-01T11:30:00Z | 2025-01-01T11:30:00+00:00
in an hour | UTC | 2025-01-01T11:30:00Z | 2025-01-01T11:30:00+00:00
in half an hour | UTC | 2025-01-01T11:00:00Z | 2025-01-01T11:00:00+00:00
in 30 seconds | UTC | 2025-01-01T10:30:30Z | 2025-01-01T10:30:30+00:00
in 3 days | UTC | 2025-01-04T10:30:00Z | 2025-01-04T10:30:00+00:00
in 2 weeks | UTC | 2025-01-15T10:30:00Z | 2025-01-15T10:30:00+00:00
in 1 month | UTC | 2025-02-01T10:30:00Z | 2025-02-01T10:30:00+00:00
in 1 day | America/New_York | 2025-01-02T15:30:00Z | 2025-01-02T10:30:00-05:00
in 2 days at 9am | UTC | 2025-01-03T09:00:00Z | 2025-01-03T09:00:00+00:00
2026-01-05 | UTC | 2026-01-05T00:00:00Z | 2026-01-05T00:00:00+00:00
on 2026-01-05 | UTC | 2026-01-05T00:00:00Z | 2026-01-05T00:00:00+00:00
at 2026-01-05 14:30 | Europe/Berlin | 2026-01-05T13:30:00Z | 2026-01-05T14:30:00+01:00
on 2026-01-05 at 2:30pm | UTC | 2026-01-05T14:30:00Z | 2026-01-05T14:30:00+00:00
2026-01-05 at 9am | UTC | 2026-01-05T09:00:00Z | 2026-01-05T09:00:00+00:00
at 9am on 2026-01-05 | UTC | 2026-01-05T09:00:00Z | 2026-01-05T09:00:00+00:00
in 2 fortnights | UTC | 2025-01-29T10:30:00Z | 2025-01-29T10:30:00+00:00
""";

    /// <summary>Rejected: phrase | part of the reason | one phrasing the message must suggest.</summary>
    public const string Rejected = """
twice a day | 'twice a day' is ambiguous | every day at 9am and 9pm
three times a week | is ambiguous: at which times | every monday, wednesday and friday at 9am
every other weekday at 9am | 'every other weekday' is ambiguous | every other monday
biweekly | 'biweekly' is ambiguous | every 2 weeks
bimonthly on the 1st | 'bimonthly' is ambiguous | every 2 months
every morning | 'morning' is not a time of day | every day at 9am
every day in the morning | 'in the morning' is not a time of day | every day at 9am
tonight at 9 | 'tonight' is not a time of day | today at 9pm
monday at 9am | 'monday' alone is ambiguous | every monday at 9am
on friday at noon | 'friday' alone is ambiguous | next friday at noon
every 5 | 'every 5' needs a unit | every 5 minutes
every | 'every' needs what follows it | every day
every 0 minutes | '0' is out of range | every 1 minute
every 200000 minutes | '200000' is out of range | every 5 minutes
every 2nd thursday at 10am | 'every 2nd …' is ambiguous | the 2nd thursday of every month
every blue moon | 'blue', 'moon' are not understood | every 15 minutes
evry day at 9am | 'evry' is not understood | every day at 9am
every tuesdy at 9am | 'tuesdy' is not understood | every tuesday at 9am
every day at 9 mintues | 'mintues' is not understood | every day at 9am
every day at 25:00 | '25:00' is not a time of day | every day at 17:30
every day at 13pm | '13pm' is not a time of day | every day at 9am
every day at 9:75 | '9:75' is not a time of day | every day at 9am
every month on the 1st at 9:30am and 5pm | differ in both hour and minute, which only a daily or weekly phrase can say | every day at 9:30am and 5pm
every 2 hours at 9am | 'every 2 hours' takes no time of day ('at 9am') | every 2 hours starting at 9am
every day between 9am and 5pm | a window ('between … and …') applies to intervals | every hour between 9am and 5pm
every 30 minutes between 9:30am and 5pm | must start and end on whole hours | every 15 minutes between 9am and 5pm
every 15 minutes between 9am and 9am | the window from 9am to 9am is empty | every 15 minutes
every week on the 15th | days of the month ('15th') need a monthly or yearly frequency | on the 15th of every month at 9am
monthly on monday | a monthly or yearly phrase needs which day of the month | the first monday of every month
every month on the 32nd at 9am | '32nd' is not a day of the month | on the 15th of every month
the 6th monday of every month | '6th monday' does not exist | the last monday of every month
every weekend at 9am except weekends | the exception removes every day, so it would never fire | every day at 9am except weekends
every day except every day | 'except every' is not understood | every day except friday
at 9am | the phrase gives no frequency, day or date | every day at 9am
9am | the phrase gives no frequency, day or date | tomorrow at 9am
tomorrow at 9am and 5pm | a one-shot phrase takes one time of day | every day at 9am and 5pm
tomorrow every day at 8am | mixes a one-shot date | every day at 8am starting tomorrow
next month | 'next month' is not supported | next monday at 9am
this friday at noon | 'this' is ambiguous | next friday at noon
in 5 | 'in 5' needs a unit | in 5 minutes
on 2026-02-30 at 9am | '2026-02-30' is not a calendar date | on 2026-01-05 at 9am
every 1.5 hours | '1.5' is not a whole number | every 90 minutes
every day at 9am starting sometime | 'sometime' is not understood | every day at 9am starting 2026-01-05
every quarter | 'every quarter' is ambiguous or incomplete | every 3 months
on february 30th every year | 'february 30th' is not a date | every year on january 1st
daily every 2 weeks | gives a second frequency | every 2 weeks on monday at 9am
""";
}
