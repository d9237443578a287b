using NodaTime;
using Scheduler.Contracts;

namespace Scheduler.Triggers;

/// <summary>Builds triggers from their stored form: kind, expression, time zone and anchor.</summary>
public static class TriggerFactory
{
    /// <summary>
    /// Builds the trigger that <paramref name="expression"/> describes.
    /// </summary>
    /// <param name="kind">How to read the expression; <see cref="TriggerKind.Detect"/> picks the kind (see <see cref="Detect"/>).</param>
    /// <param name="expression">The trigger text.</param>
    /// <param name="timeZoneId">IANA zone id; <see langword="null"/> or empty means UTC.</param>
    /// <param name="anchor">The task's start: the reference for relative phrases ("in 2 hours") and the anchor of "every other ..." and RRULEs without DTSTART.</param>
    /// <returns>An <see cref="ExecuteOnceTrigger"/>, <see cref="CronTrigger"/>, <see cref="RRuleTrigger"/> or <see cref="TextTrigger"/>. A one-shot
    /// phrase ("in 2 hours", "tomorrow at 8am") gives an <see cref="ExecuteOnceTrigger"/> at the absolute instant it means from
    /// <paramref name="anchor"/>, so its stored form no longer depends on the anchor.</returns>
    /// <exception cref="TriggerFormatException">The expression or the zone cannot be read; the message names the value and the accepted forms.</exception>
    public static ITrigger Create(TriggerKind kind, string expression, string? timeZoneId, DateTimeOffset anchor) =>
        Read(kind, expression, timeZoneId, anchor).Trigger;

    /// <summary>
    /// <see cref="Create"/>, with what an English phrase says besides its fire times: how words that people read in more than one way were
    /// read (<see cref="ParsedTrigger.Readings"/>).
    /// </summary>
    /// <param name="kind">How to read the expression; <see cref="TriggerKind.Detect"/> picks the kind (see <see cref="Detect"/>).</param>
    /// <param name="expression">The trigger text.</param>
    /// <param name="timeZoneId">IANA zone id; <see langword="null"/> or empty means UTC.</param>
    /// <param name="anchor">The task's start (see <see cref="Create"/>).</param>
    /// <exception cref="TriggerFormatException">The expression or the zone cannot be read; the message names the value and the accepted forms.</exception>
    public static ParsedTrigger Read(TriggerKind kind, string expression, string? timeZoneId, DateTimeOffset anchor)
    {
        if (string.IsNullOrWhiteSpace(expression))
        {
            throw new TriggerFormatException("The trigger is empty. Give an ISO-8601 instant, a cron expression, an RRULE or a phrase such as 'every day at 9am'.");
        }

        var zone = TimeZones.Find(timeZoneId);
        try
        {
            var resolved = kind == TriggerKind.Detect ? Detect(expression, zone) : kind;
            return resolved switch
            {
                TriggerKind.Once => new ParsedTrigger(ExecuteOnceTrigger.Parse(expression, zone)),
                TriggerKind.Cron => new ParsedTrigger(CronTrigger.Parse(expression, zone)),
                TriggerKind.RRule => new ParsedTrigger(RRuleTrigger.Parse(expression, zone, anchor)),
                TriggerKind.Text => TextTrigger.Read(expression, zone, anchor),
                _ => throw new TriggerFormatException($"Unknown trigger kind '{kind}'. Use Once, Cron, RRule, Text or Detect."),
            };
        }
        catch (Exception ex) when (ex is not TriggerFormatException && TriggerInstants.IsEvaluationFailure(ex))
        {
            throw CannotEvaluate(expression, zone, ex);
        }
    }

    /// <summary>The error for a trigger whose evaluation failed on its values (<see cref="TriggerInstants.IsEvaluationFailure"/>).</summary>
    public static TriggerFormatException CannotEvaluate(string expression, DateTimeZone zone, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(zone);
        ArgumentNullException.ThrowIfNull(exception);
        return new TriggerFormatException(
            $"Trigger '{expression}' cannot be evaluated in time zone {zone.Id}: {exception.Message} " +
            $"Use dates and a start within the supported range, {TriggerInstants.Range}, and a rule that its evaluator can enumerate.", exception);
    }

    /// <summary>
    /// The kind <see cref="TriggerKind.Detect"/> resolves to: an ISO-8601 instant is <see cref="TriggerKind.Once"/>; a macro or 5 or 6 cron
    /// fields is <see cref="TriggerKind.Cron"/>; text starting with <c>RRULE:</c>, <c>FREQ=</c> or <c>DTSTART</c> is <see cref="TriggerKind.RRule"/>;
    /// anything else is <see cref="TriggerKind.Text"/>.
    /// </summary>
    public static TriggerKind Detect(string expression, DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var trimmed = expression.Trim();
        if (ExecuteOnceTrigger.TryParseInstant(trimmed, zone, out _))
        {
            return TriggerKind.Once;
        }

        if (trimmed.StartsWith("RRULE:", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith("FREQ=", StringComparison.OrdinalIgnoreCase)
            || trimmed.StartsWith("DTSTART", StringComparison.OrdinalIgnoreCase))
        {
            return TriggerKind.RRule;
        }

        return CronTrigger.LooksLikeCron(trimmed) ? TriggerKind.Cron : TriggerKind.Text;
    }
}
