using Cronos;
using NodaTime;
using Scheduler.Contracts;

namespace Scheduler.Core.Triggers;

/// <summary>
/// Fires on a cron schedule evaluated in a time zone, as Cronos defines it: 5 fields (minute, hour, day of month, month, day of week)
/// or 6 fields with a leading seconds field, plus macros such as <c>@daily</c>.
/// </summary>
/// <remarks>
/// DST handling is Cronos's: a fire time in a spring-forward gap runs at the first valid instant after the gap; in a fall-back overlap
/// a fixed-time schedule fires once and an interval schedule fires in both offsets. An interval schedule is one whose seconds, minutes
/// or hours field has a <c>*</c>, a range or a step (e.g. <c>*/15 * * * *</c>, <c>0 1-3 * * *</c>), as Cronos classifies it. Cronos
/// evaluates the wall-clock schedule; <see cref="WallClock"/> maps it to instants with the tz database embedded in NodaTime, so the
/// fire times do not depend on the host's tzdata.
/// </remarks>
public sealed partial class CronTrigger : ITrigger
{
    private static readonly Dictionary<string, string> Macros = new(StringComparer.OrdinalIgnoreCase)
    {
        ["@every_second"] = "* * * * * *",
        ["@every_minute"] = "* * * * *",
        ["@hourly"] = "0 * * * *",
        ["@daily"] = "0 0 * * *",
        ["@midnight"] = "0 0 * * *",
        ["@weekly"] = "0 0 * * 0",
        ["@monthly"] = "0 0 1 * *",
        ["@yearly"] = "0 0 1 1 *",
        ["@annually"] = "0 0 1 1 *",
    };

    private readonly ZonedSchedule _schedule;

    private CronTrigger(CronExpression cron, string expression, DateTimeZone timeZone, bool isInterval)
    {
        Expression = expression;
        TimeZone = timeZone;
        _schedule = new ZonedSchedule(timeZone, isInterval, after => LocalTimesAfter(cron, after));
    }

    /// <inheritdoc />
    public TriggerKind Kind => TriggerKind.Cron;

    /// <inheritdoc />
    public string Expression { get; }

    /// <inheritdoc />
    public DateTimeZone TimeZone { get; }

    /// <summary>Whether the expression has a seconds field (6 fields).</summary>
    public bool HasSeconds => Expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6;

    /// <summary>Whether this is an interval schedule, which fires in both offsets of a fall-back overlap (see the remarks).</summary>
    public bool IsInterval => _schedule.IsInterval;

    /// <inheritdoc />
    public DateTimeOffset? GetNextFireTime(DateTimeOffset after) => _schedule.Next(after);

    /// <inheritdoc />
    /// <remarks>In the phrase grammar, so that the text parses back to the same schedule (<c>0 9 * * 1-5</c>: "every weekday at 9am");
    /// an expression the grammar cannot say (minute ranges, steps that do not divide the hour, day of month together with day of week)
    /// is described as "whenever cron '…' matches", which does not parse back.</remarks>
    public string Describe() =>
        Phrases.TriggerEnglish.TryCron(Macros.TryGetValue(Expression, out var macro) ? macro : Expression) is { } schedule
            ? Phrases.PhraseWriter.Write(schedule)
            : $"whenever cron '{Expression}' matches";

    /// <summary>Parses a 5- or 6-field cron expression (or a Cronos macro) for <paramref name="timeZone"/>.</summary>
    /// <param name="expression">The cron expression.</param>
    /// <param name="timeZone">The zone whose wall-clock times the fields describe.</param>
    /// <param name="requiredFields">5 or 6 to require that many fields (macros are then rejected); <see langword="null"/> accepts both.</param>
    /// <exception cref="TriggerFormatException">The expression is not valid cron, or does not have <paramref name="requiredFields"/>
    /// fields; the message names it and quotes Cronos's reason.</exception>
    public static CronTrigger Parse(string expression, DateTimeZone timeZone, int? requiredFields = null)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(timeZone);
        var normalized = string.Join(' ', expression.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        var expanded = Macros.TryGetValue(normalized, out var macro) ? macro : normalized;
        var fields = expanded.Split(' ').Length;
        if ((!normalized.StartsWith('@') && fields is not (5 or 6)) || (requiredFields is { } required && (fields != required || normalized.StartsWith('@'))))
        {
            throw new TriggerFormatException(
                $"Cron expression '{expression}' has {(normalized.StartsWith('@') ? "a macro instead of" : fields.ToString(System.Globalization.CultureInfo.InvariantCulture))} fields. " +
                (requiredFields == 6 ? "Use 6 fields with a leading seconds field (e.g. '*/10 * * * * *')."
                    : requiredFields == 5 ? "Use 5 fields: minute hour day-of-month month day-of-week (e.g. '*/5 * * * *')."
                    : "Use 5 fields (minute hour day-of-month month day-of-week, e.g. '*/5 * * * *') or 6 with a leading seconds field (e.g. '*/10 * * * * *')."));
        }

        try
        {
            var format = fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
            var cron = CronExpression.Parse(normalized, format);
            var timeFields = expanded.Split(' ').Take(fields == 6 ? 3 : 2);
            var isInterval = timeFields.Any(f => f.IndexOfAny(['*', '-', '/']) >= 0);
            return new CronTrigger(cron, normalized, timeZone, isInterval);
        }
        catch (CronFormatException ex)
        {
            throw new TriggerFormatException($"Cron expression '{expression}' is not valid: {ex.Message}", ex);
        }
    }

    /// <summary>Whether <paramref name="text"/> looks like a cron expression: a macro such as <c>@daily</c>, or 3 to 7 fields made of
    /// digits, <c>* / , - ? L W #</c> and three-letter month or day names, at least one with a digit or <c>*</c>. (A wrong field count
    /// still counts as cron, so that the error explains the field count rather than calling it an unknown phrase.)</summary>
    public static bool LooksLikeCron(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (trimmed.StartsWith('@'))
        {
            return !trimmed.Contains(' ', StringComparison.Ordinal);
        }

        var fields = trimmed.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return fields.Length is >= 3 and <= 7
            && fields.All(f => CronField().IsMatch(f))
            && fields.Any(f => f.Contains('*', StringComparison.Ordinal) || f.Any(char.IsAsciiDigit));
    }

    // Cronos evaluates the fields as a floating wall clock (DateTimeKind.Utc stands for "no zone").
    private static IEnumerable<DateTime> LocalTimesAfter(CronExpression cron, DateTime after)
    {
        var cursor = DateTime.SpecifyKind(after, DateTimeKind.Utc);
        while (cron.GetNextOccurrence(cursor, inclusive: false) is { } next)
        {
            yield return DateTime.SpecifyKind(next, DateTimeKind.Unspecified);
            cursor = next;
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^([0-9*/,\-?LW#]+|[A-Za-z]{3}(#[1-5]|L)?([-,][A-Za-z]{3}(#[1-5]|L)?)*(/[0-9]+)?)$")]
    private static partial System.Text.RegularExpressions.Regex CronField();
}
