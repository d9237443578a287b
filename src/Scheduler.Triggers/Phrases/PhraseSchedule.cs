namespace Scheduler.Triggers.Phrases;

/// <summary>
/// What a phrase says, part by part, before it is normalized to cron or an RRULE (<see cref="PhraseNormalizer"/>) or written back in
/// English (<see cref="PhraseWriter"/>). Times are wall-clock times in the task's zone. Empty sets mean "no restriction".
/// </summary>
internal sealed class PhraseSchedule
{
    /// <summary>The frequency unit (<c>every 2 hours</c>: <see cref="PhraseUnit.Hour"/>); null when only days or dates are named.</summary>
    public PhraseUnit? Unit { get; set; }

    /// <summary>Every how many units (<c>every other</c>: 2, <c>fortnightly</c>: 2 weeks).</summary>
    public int Interval { get; set; } = 1;

    /// <summary>Days of the week it fires on.</summary>
    public SortedSet<DayOfWeek> Days { get; } = [];

    /// <summary>Nth weekdays of the month (<c>2nd and 4th thursday</c>); N = -1 is the last.</summary>
    public List<(int N, DayOfWeek Day)> NthDays { get; } = [];

    /// <summary>Days of the month, 1 to 31; -1 is the last day.</summary>
    public SortedSet<int> MonthDays { get; } = [];

    /// <summary>Months, 1 to 12.</summary>
    public SortedSet<int> Months { get; } = [];

    /// <summary>Times of day (<c>at 9am and 5pm</c>), in the order written.</summary>
    public List<TimeOnly> Times { get; } = [];

    /// <summary>A window for second, minute and hour intervals (<c>between 9am and 5pm</c>): whole hours, start and end.</summary>
    public (int From, int To)? Window { get; set; }

    /// <summary>Days removed by <c>except</c>.</summary>
    public SortedSet<DayOfWeek> ExceptDays { get; } = [];

    /// <summary>The calendar named by <c>except</c> (<c>except holidays</c>): a word that is no day or month.</summary>
    public string? Calendar { get; set; }

    /// <summary>Months removed by <c>except</c>.</summary>
    public SortedSet<int> ExceptMonths { get; } = [];

    /// <summary><c>starting …</c>: a date (time 00:00 unless given).</summary>
    public DateTime? StartDate { get; set; }

    /// <summary><c>starting at 9am</c> (time only): the first such time at or after the task's start.</summary>
    public TimeOnly? StartTime { get; set; }

    /// <summary><c>until …</c>: the last wall-clock time it may fire at (a date alone includes the whole day).</summary>
    public DateTime? Until { get; set; }

    /// <summary>Whether <see cref="Until"/> was a date alone.</summary>
    public bool UntilIsDate { get; set; }

    /// <summary><c>until 5pm</c> (time only): the first such time at or after the task's start.</summary>
    public TimeOnly? UntilTime { get; set; }

    /// <summary><c>for 10 times</c>, <c>10 times</c>.</summary>
    public int? Count { get; set; }

    /// <summary><c>for 3 weeks</c>: the task ends that long after its start (or after <c>starting …</c>).</summary>
    public (int Amount, PhraseUnit Unit)? For { get; set; }

    /// <summary>A one-shot phrase's date (<c>tomorrow</c>, <c>next friday</c>, <c>2026-01-05</c>).</summary>
    public DateOnly? OnceDate { get; set; }

    /// <summary>Whether <see cref="OnceDate"/> was said as <c>today</c> (a time already passed is then refused, not fired at once).</summary>
    public bool OnceToday { get; set; }

    /// <summary>How words that people read differently were read ("'next friday' is read as Friday 2025-01-03, …"), one sentence each, in the
    /// order found; docs/triggers.md lists them.</summary>
    public List<string> Readings { get; } = [];

    /// <summary>A one-shot phrase's offset from the task's start (<c>in 90 minutes</c>); days and weeks keep the wall-clock time.</summary>
    public (int Amount, PhraseUnit Unit)? OnceAfter { get; set; }

    /// <summary>Whether the phrase is one-shot.</summary>
    public bool IsOnce => OnceDate is not null || OnceAfter is not null;

    /// <summary>Whether the phrase names a recurrence (anything but a one-shot date or offset and its time).</summary>
    public bool IsRecurring => Unit is not null || Days.Count > 0 || NthDays.Count > 0 || MonthDays.Count > 0 || Months.Count > 0
        || Window is not null || ExceptDays.Count > 0 || ExceptMonths.Count > 0 || StartDate is not null || StartTime is not null
        || Until is not null || UntilTime is not null || Count is not null || For is not null;

    /// <summary>Whether the unit is seconds, minutes or hours (an interval schedule).</summary>
    public bool IsSubDaily => Unit is PhraseUnit.Second or PhraseUnit.Minute or PhraseUnit.Hour;
}
