using System.Globalization;
using System.Text.RegularExpressions;
using Ical.Net.Evaluation;

namespace Scheduler.Triggers;

/// <summary>
/// The instants Scheduler works with: every start, fire time and trigger answer lies in [<see cref="Min"/>, <see cref="Max"/>]. The lower
/// bound is the Unix epoch (task instance ids are UUIDv7, which count milliseconds from it); the upper bound leaves a wide margin below
/// <see cref="DateTimeOffset.MaxValue"/>, so that no trigger arithmetic (time zone offsets, DST windows, recurrence steps) overflows.
/// </summary>
public static class TriggerInstants
{
    /// <summary>The earliest supported instant: 1970-01-01T00:00:00Z.</summary>
    public static readonly DateTimeOffset Min = DateTimeOffset.UnixEpoch;

    /// <summary>The latest supported instant: 9000-01-01T00:00:00Z. Triggers never fire after it.</summary>
    public static readonly DateTimeOffset Max = new(9000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Whether <paramref name="instant"/> is in the supported range.</summary>
    public static bool Contains(DateTimeOffset instant) => instant >= Min && instant <= Max;

    /// <summary>The range as text, for error messages.</summary>
    public static string Range => $"{Min.ToString("O", CultureInfo.InvariantCulture)} to {Max.ToString("O", CultureInfo.InvariantCulture)}";

    /// <summary>Whether <paramref name="exception"/> is a trigger library or date arithmetic failure on an input value (an out-of-range
    /// date, an overflow, a rule its evaluator cannot enumerate), as opposed to a cancellation or a bug elsewhere.</summary>
    public static bool IsEvaluationFailure(Exception exception) =>
        exception is ArgumentException or ArithmeticException or FormatException or InvalidOperationException or EvaluationException
            or RegexMatchTimeoutException;
}
