using Cronos;
using Scheduler.Contracts;

namespace Scheduler.Core.Triggers;

/// <summary>
/// Fires on a cron schedule evaluated in a time zone, as Cronos defines it: 5 fields (minute, hour, day of month, month, day of week)
/// or 6 fields with a leading seconds field, plus macros such as <c>@daily</c>.
/// </summary>
/// <remarks>
/// DST handling is Cronos's: a fire time in a spring-forward gap runs at the first valid instant after the gap; in a fall-back overlap
/// a fixed-time schedule fires once and an interval schedule (e.g. <c>*/15 * * * *</c>) fires in both offsets.
/// </remarks>
public sealed partial class CronTrigger : ITrigger
{
    private readonly CronExpression _cron;

    private CronTrigger(CronExpression cron, string expression, TimeZoneInfo timeZone)
    {
        _cron = cron;
        Expression = expression;
        TimeZone = timeZone;
    }

    /// <inheritdoc />
    public TriggerKind Kind => TriggerKind.Cron;

    /// <inheritdoc />
    public string Expression { get; }

    /// <inheritdoc />
    public TimeZoneInfo TimeZone { get; }

    /// <summary>Whether the expression has a seconds field (6 fields).</summary>
    public bool HasSeconds => Expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6;

    /// <inheritdoc />
    public DateTimeOffset? GetNextFireTime(DateTimeOffset after) =>
        _cron.GetNextOccurrence(after, TimeZone, inclusive: false)?.ToUniversalTime();

    /// <inheritdoc />
    public string Describe() => $"cron '{Expression}' in {TimeZone.Id}";

    /// <summary>Parses a 5- or 6-field cron expression (or a Cronos macro) for <paramref name="timeZone"/>.</summary>
    /// <exception cref="TriggerFormatException">The expression is not valid cron; the message names it and quotes Cronos's reason.</exception>
    public static CronTrigger Parse(string expression, TimeZoneInfo timeZone)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(timeZone);
        var normalized = string.Join(' ', expression.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        var fields = normalized.Split(' ').Length;
        if (!normalized.StartsWith('@') && fields is not (5 or 6))
        {
            throw new TriggerFormatException(
                $"Cron expression '{expression}' has {fields} fields. Use 5 fields (minute hour day-of-month month day-of-week, e.g. '*/5 * * * *') " +
                "or 6 with a leading seconds field (e.g. '*/10 * * * * *').");
        }

        try
        {
            var format = fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
            return new CronTrigger(CronExpression.Parse(normalized, format), normalized, timeZone);
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

    [System.Text.RegularExpressions.GeneratedRegex(@"^([0-9*/,\-?LW#]+|[A-Za-z]{3}([-,][A-Za-z]{3})*(/[0-9]+)?)$")]
    private static partial System.Text.RegularExpressions.Regex CronField();
}
