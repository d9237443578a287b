using Scheduler.Triggers;

namespace Scheduler.Core.Definitions;

/// <summary>
/// When a task ends, whatever its trigger (as Quartz's <c>EndAt</c>, RRULE's UNTIL and COUNT, Temporal's schedule end): no fire time after
/// <see cref="EndAt"/>, and no more than <see cref="MaxOccurrences"/> occurrences counted from the task's start, whose last one is
/// <see cref="LastFireTime"/>. A task past its end plans nothing more and is <see cref="Contracts.TaskState.Finished"/>.
/// </summary>
/// <param name="EndAt">The last instant a fire time may be (inclusive, UTC); <see langword="null"/> for none.</param>
/// <param name="MaxOccurrences">How many occurrences the task has at most, counted from its start; <see langword="null"/> for no limit.</param>
/// <param name="LastFireTime">The fire time of the <see cref="MaxOccurrences"/>-th occurrence (<see cref="Of"/>), or
/// <see langword="null"/>: no limit, or fewer occurrences than that before the trigger ends.</param>
public sealed record TaskEnd(DateTimeOffset? EndAt, int? MaxOccurrences, DateTimeOffset? LastFireTime)
{
    /// <summary>The most occurrences a task may be limited to: 100,000 (the last one is found by enumerating them when the task is stored).</summary>
    public const int MaxOccurrencesLimit = 100_000;

    // The most fire times looked at to find the last occurrence (a calendar may exclude most of them).
    private const int CandidateLimit = 1_000_000;

    /// <summary>No end.</summary>
    public static TaskEnd None { get; } = new(null, null, null);

    /// <summary>Whether a fire time at <paramref name="fireTime"/> is within the end conditions.</summary>
    public bool Allows(DateTimeOffset fireTime) => (EndAt is not { } end || fireTime <= end) && (LastFireTime is not { } last || fireTime <= last);

    /// <summary>Whether there is an end condition at all.</summary>
    public bool IsBounded => EndAt is not null || MaxOccurrences is not null;

    /// <summary>The end of a task whose trigger is <paramref name="trigger"/> and which starts at <paramref name="start"/>: its
    /// <see cref="LastFireTime"/> is the <paramref name="maxOccurrences"/>-th fire time at or after <paramref name="start"/> (an execute-once
    /// trigger's instant counts even when it has passed, as <see cref="TaskDefinitionFactory.FirstFireTime"/> does) that
    /// <paramref name="counts"/> accepts (default: every one).</summary>
    /// <param name="trigger">The task's trigger.</param>
    /// <param name="start">The task's start (UTC).</param>
    /// <param name="endAt">The last instant a fire time may be, or <see langword="null"/>.</param>
    /// <param name="maxOccurrences">1 to <see cref="MaxOccurrencesLimit"/>, or <see langword="null"/>.</param>
    /// <param name="counts">Whether an occurrence counts (a calendar's excluded ones do not); <see langword="null"/>: all count.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxOccurrences"/> is out of range.</exception>
    /// <exception cref="TaskValidationException">The first million fire times hold fewer than <paramref name="maxOccurrences"/> that count.</exception>
    public static TaskEnd Of(ITrigger trigger, DateTimeOffset start, DateTimeOffset? endAt, int? maxOccurrences, Func<DateTimeOffset, bool>? counts = null)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        if (maxOccurrences is not { } limit)
        {
            return new TaskEnd(endAt, null, null);
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1, nameof(maxOccurrences));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxOccurrencesLimit, nameof(maxOccurrences));
        var seen = 0;
        var candidates = 0;
        for (var fire = TaskDefinitionFactory.FirstFireTime(trigger, start); fire is { } f; fire = trigger.GetNextFireTime(f))
        {
            if (endAt is { } end && f > end)
            {
                break;
            }

            if (++candidates > CandidateLimit)
            {
                throw new TaskValidationException(
                    $"MaxOccurrences {limit}: only {seen} of the first {CandidateLimit:N0} fire times of the trigger count (the others are excluded by the task's calendar). Give fewer occurrences, an EndAt, or another calendar.");
            }

            if ((counts?.Invoke(f) ?? true) && ++seen == limit)
            {
                return new TaskEnd(endAt, limit, f);
            }
        }

        return new TaskEnd(endAt, limit, null);
    }
}
