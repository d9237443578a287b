using System.Globalization;
using NodaTime;
using Scheduler.Contracts;

namespace Scheduler.Triggers;

/// <summary>Fires once, at a fixed instant (the seed's ExecuteOnce trigger).</summary>
public sealed class ExecuteOnceTrigger : ITrigger
{
    /// <summary>Creates a trigger that fires at <paramref name="fireTime"/>.</summary>
    /// <param name="fireTime">The instant to fire at; an instant in the past fires as soon as the task is scheduled.</param>
    /// <param name="timeZone">The zone used for <see cref="Describe"/>. Default UTC.</param>
    public ExecuteOnceTrigger(DateTimeOffset fireTime, DateTimeZone? timeZone = null)
    {
        FireTime = fireTime.ToUniversalTime();
        TimeZone = timeZone ?? DateTimeZone.Utc;
    }

    /// <summary>The instant the trigger fires at (UTC).</summary>
    public DateTimeOffset FireTime { get; }

    /// <inheritdoc />
    public TriggerKind Kind => TriggerKind.Once;

    /// <inheritdoc />
    public string Expression => FireTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public DateTimeZone TimeZone { get; }

    /// <inheritdoc />
    public DateTimeOffset? GetNextFireTime(DateTimeOffset after) => FireTime > after ? FireTime : null;

    /// <inheritdoc />
    /// <remarks>"on 2026-01-05 at 2:30pm" (the wall-clock time in <see cref="TimeZone"/>; "at 00:00", not "at midnight", which a one-shot
    /// phrase refuses as ambiguous), which the phrase grammar reads back; an instant
    /// with seconds is written in ISO-8601 with the zone's offset, which <see cref="TriggerKind.Detect"/> reads back.</remarks>
    public string Describe()
    {
        var local = WallClock.InZone(FireTime, TimeZone);
        return local.Second == 0 && local.Millisecond == 0 && local.Ticks % TimeSpan.TicksPerMillisecond == 0
            ? $"on {local.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} at {(local.TimeOfDay == TimeSpan.Zero ? "00:00" : Phrases.PhraseWriter.Time(TimeOnly.FromDateTime(local.DateTime)))}"
            : local.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Reads an ISO-8601 date and time such as <c>2026-01-05T14:30:00Z</c> or <c>2026-01-05T14:30:00+01:00</c>; without an offset
    /// the wall-clock time is read in <paramref name="timeZone"/> under <see cref="WallClock"/>'s DST policy (a time inside a gap runs at the first valid instant after it; in an overlap, at the earlier instant).
    /// </summary>
    /// <exception cref="TriggerFormatException">The text is not an ISO-8601 date and time.</exception>
    public static ExecuteOnceTrigger Parse(string text, DateTimeZone timeZone)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(timeZone);
        if (!TryParseInstant(text, timeZone, out var instant))
        {
            throw new TriggerFormatException(
                $"'{text}' is not an ISO-8601 date and time. Write it like '2026-01-05T14:30:00Z' or '2026-01-05T14:30:00+01:00'.");
        }

        return new ExecuteOnceTrigger(instant, timeZone);
    }

    /// <summary>Whether <paramref name="text"/> reads as an ISO-8601 date and time; see <see cref="Parse"/>.</summary>
    public static bool TryParseInstant(string text, DateTimeZone timeZone, out DateTimeOffset instant)
    {
        ArgumentNullException.ThrowIfNull(timeZone);
        instant = default;
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length < 16 || !char.IsAsciiDigit(trimmed[0]) || trimmed[4] != '-')
        {
            return false;
        }

        if (!DateTime.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed))
        {
            return false;
        }

        try
        {
            instant = parsed.Kind != DateTimeKind.Unspecified
                ? DateTimeOffset.Parse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUniversalTime()
                : WallClock.ToInstant(parsed, timeZone);
        }
        catch (Exception ex) when (ex is ArgumentOutOfRangeException or FormatException or InvalidOperationException or OverflowException)
        {
            // A date and time near the calendar's ends may have no UTC instant (e.g. 0001-01-01T00:00:00+14:00): it reads as the nearest
            // representable instant, which is outside TriggerInstants' range, so that callers reject it by range rather than by format.
            instant = parsed.Year < 5000 ? DateTimeOffset.MinValue : DateTimeOffset.MaxValue;
        }

        return true;
    }
}
