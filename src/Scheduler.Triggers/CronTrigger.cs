using Cronos;
using NodaTime;
using Scheduler.Contracts;

namespace Scheduler.Triggers;

/// <summary>
/// Fires on a cron schedule evaluated in a time zone, as Cronos defines it: 5 fields (minute, hour, day of month, month, day of week)
/// or 6 fields with a leading seconds field, or a macro (Vixie cron's and Cronos's): <c>@yearly</c>/<c>@annually</c> (<c>0 0 1 1 *</c>),
/// <c>@monthly</c> (<c>0 0 1 * *</c>), <c>@weekly</c> (<c>0 0 * * 0</c>), <c>@daily</c>/<c>@midnight</c> (<c>0 0 * * *</c>), <c>@hourly</c>
/// (<c>0 * * * *</c>), <c>@every_minute</c> (<c>* * * * *</c>) and <c>@every_second</c> (<c>* * * * * *</c>). A macro fires exactly as its
/// expansion (<see cref="Expansion"/>), DST handling included.
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

    private CronTrigger(CronExpression cron, string expression, string expansion, DateTimeZone timeZone, bool isInterval)
    {
        Expression = expression;
        Expansion = expansion;
        TimeZone = timeZone;
        _schedule = new ZonedSchedule(timeZone, isInterval, after => LocalTimesAfter(cron, after));
    }

    /// <inheritdoc />
    public TriggerKind Kind => TriggerKind.Cron;

    /// <inheritdoc />
    /// <remarks>The fields single-spaced, or the macro in lower case (<c>@daily</c>), as written.</remarks>
    public string Expression { get; }

    /// <summary>The fields the trigger evaluates: <see cref="Expression"/>, or for a macro the fields it stands for (<c>@daily</c>:
    /// <c>0 0 * * *</c>).</summary>
    public string Expansion { get; }

    /// <summary>Whether <see cref="Expression"/> is a macro such as <c>@daily</c>.</summary>
    public bool IsMacro => Expression.StartsWith('@');

    /// <inheritdoc />
    public DateTimeZone TimeZone { get; }

    /// <summary>Whether the expression has a seconds field (6 fields, or <c>@every_second</c>).</summary>
    public bool HasSeconds => Expansion.Split(' ').Length == 6;

    /// <summary>Whether this is an interval schedule, which fires in both offsets of a fall-back overlap (see the remarks).</summary>
    public bool IsInterval => _schedule.IsInterval;

    /// <inheritdoc />
    public DateTimeOffset? GetNextFireTime(DateTimeOffset after) => _schedule.Next(after);

    /// <inheritdoc />
    /// <remarks>In the phrase grammar, so that the text parses back to the same schedule (<c>0 9 * * 1-5</c>: "every weekday at 9am");
    /// an expression the grammar cannot say (minute ranges, steps that do not divide the hour, day of month together with day of week)
    /// is described as "whenever cron '…' matches", which does not parse back.</remarks>
    public string Describe() =>
        Phrases.TriggerEnglish.TryCron(Expansion) is { } schedule
            ? Phrases.PhraseWriter.Write(schedule)
            : $"whenever cron '{Expression}' matches";

    /// <summary>The fields that macro <paramref name="macro"/> (e.g. <c>@daily</c>, any case) stands for, or <see langword="null"/> when it
    /// is not one of the macros listed on <see cref="CronTrigger"/>.</summary>
    public static string? ExpandMacro(string macro)
    {
        ArgumentNullException.ThrowIfNull(macro);
        return Macros.TryGetValue(macro.Trim(), out var fields) ? fields : null;
    }

    /// <summary>Parses a 5- or 6-field cron expression, or a macro, for <paramref name="timeZone"/>.</summary>
    /// <param name="expression">The cron expression.</param>
    /// <param name="timeZone">The zone whose wall-clock times the fields describe.</param>
    /// <param name="requiredFields">5 or 6 to require that many written fields; <see langword="null"/> accepts both. A macro is accepted
    /// either way: it names no fields.</param>
    /// <exception cref="TriggerFormatException">The expression is not valid cron, is an unknown macro, or does not have
    /// <paramref name="requiredFields"/> fields; the message names it and quotes Cronos's reason or lists the macros.</exception>
    public static CronTrigger Parse(string expression, DateTimeZone timeZone, int? requiredFields = null)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(timeZone);
        var normalized = string.Join(' ', expression.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (normalized.StartsWith('@'))
        {
            var expansion = ExpandMacro(normalized) ?? throw new TriggerFormatException(
                $"Cron macro '{expression}' is not supported. Use @yearly (or @annually), @monthly, @weekly, @daily (or @midnight), @hourly, " +
                "@every_minute or @every_second, or write the fields (e.g. '0 9 * * *'); @reboot has no fire time in a scheduler.");
            return Create(expression, normalized.ToLowerInvariant(), expansion, timeZone);
        }

        var fields = normalized.Split(' ').Length;
        if (fields is not (5 or 6) || (requiredFields is { } required && fields != required))
        {
            throw new TriggerFormatException(
                $"Cron expression '{expression}' has {fields.ToString(System.Globalization.CultureInfo.InvariantCulture)} fields. " +
                (requiredFields == 6 ? "Use 6 fields with a leading seconds field (e.g. '*/10 * * * * *')."
                    : requiredFields == 5 ? "Use 5 fields: minute hour day-of-month month day-of-week (e.g. '*/5 * * * *')."
                    : "Use 5 fields (minute hour day-of-month month day-of-week, e.g. '*/5 * * * *') or 6 with a leading seconds field (e.g. '*/10 * * * * *')."));
        }

        return Create(expression, normalized, normalized, timeZone);
    }

    // A macro is evaluated as its expansion, so that it fires (and is classified for DST) exactly as the fields it stands for.
    private static CronTrigger Create(string written, string expression, string expansion, DateTimeZone timeZone)
    {
        try
        {
            var fields = expansion.Split(' ');
            var cron = CronExpression.Parse(expansion, fields.Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
            var isInterval = fields.Take(fields.Length == 6 ? 3 : 2).Any(f => f.IndexOfAny(['*', '-', '/']) >= 0);
            return new CronTrigger(cron, expression, expansion, timeZone, isInterval);
        }
        catch (CronFormatException ex)
        {
            throw new TriggerFormatException($"Cron expression '{written}' is not valid: {ex.Message}", ex);
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
