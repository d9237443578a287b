using System.Globalization;
using Scheduler.Contracts;
using Scheduler.Triggers;

namespace Scheduler.Core.Definitions;

/// <summary>Validates <see cref="ScheduleTask"/> commands and turns them into <see cref="TaskDefinition"/>s.</summary>
public static class TaskDefinitionFactory
{
    /// <summary>The most metadata entries a task may carry.</summary>
    public const int MaxMetadataEntries = 64;

    /// <summary>The longest metadata key, in characters.</summary>
    public const int MaxMetadataKeyLength = 256;

    /// <summary>The longest metadata value, in characters.</summary>
    public const int MaxMetadataValueLength = 4096;

    /// <summary>The longest payload, in characters.</summary>
    public const int MaxPayloadLength = 256 * 1024;

    /// <summary>The longest trigger, idempotency key or destination queue name, in characters.</summary>
    public const int MaxTextLength = 1024;

    /// <summary>The default <see cref="ScheduleTask.ExpireAfter"/>: 5 minutes.</summary>
    public static readonly TimeSpan DefaultExpireAfter = TimeSpan.FromMinutes(5);

    /// <summary>The shortest <see cref="ScheduleTask.ExpireAfter"/>: 1 second (a run must have time to reach a worker and report back).</summary>
    public static readonly TimeSpan MinExpireAfter = TimeSpan.FromSeconds(1);

    /// <summary>The longest <see cref="ScheduleTask.ExpireAfter"/>: 7 days.</summary>
    public static readonly TimeSpan MaxExpireAfter = TimeSpan.FromDays(7);

    /// <summary>The widest <see cref="ScheduleTask.Jitter"/> window: 1 day.</summary>
    public static readonly TimeSpan MaxJitter = TimeSpan.FromDays(1);

    /// <summary>
    /// Validates <paramref name="command"/> and builds the definition it describes, with its first fire time as <see cref="TaskDefinition.NextFireTime"/>.
    /// </summary>
    /// <remarks>The recipient rule (a destination queue or an explicit broadcast, <see cref="RequireRecipient"/>) is not checked here: the
    /// scheduling service applies it with the node's default. A definition without destination queue is published to every subscriber.</remarks>
    /// <param name="command">The command.</param>
    /// <param name="now">The current time (UTC), the default start.</param>
    /// <param name="newId">Makes the id when the command names none; <see langword="null"/> for a UUIDv7.</param>
    /// <param name="readings">Receives how words of an English phrase that people read in more than one way were read
    /// (<see cref="ParsedTrigger.Readings"/>), for the reply; <see langword="null"/> drops them.</param>
    /// <param name="calendars">Finds a calendar by name, for a command (or phrase) that names one: its exclusions count for
    /// <see cref="ScheduleTask.MaxOccurrences"/>. <see langword="null"/> when none can be found (a command naming one is then rejected).</param>
    /// <exception cref="TaskValidationException">The command is invalid; the message names the offending value and the fix.</exception>
    public static TaskDefinition Create(ScheduleTask command, DateTimeOffset now, Func<Guid>? newId = null, ICollection<string>? readings = null,
        Func<string, Calendars.TaskCalendar?>? calendars = null) =>
        Build(command, now, newId, readings, endIfNone: TaskEnd.None, calendarIfNone: null, calendars);

    // endIfNone, calendarIfNone: what to keep when neither the command nor its phrase gives one (an update keeps the stored ones).
    private static TaskDefinition Build(ScheduleTask command, DateTimeOffset now, Func<Guid>? newId, ICollection<string>? readings, TaskEnd endIfNone,
        string? calendarIfNone, Func<string, Calendars.TaskCalendar?>? calendars)
    {
        ArgumentNullException.ThrowIfNull(command);
        RequireText(command.Trigger, "Trigger", MaxTextLength, required: true);
        RequireText(command.TimeZone, "TimeZone", 128, required: false);
        RequireText(command.IdempotencyKey, "IdempotencyKey", 256, required: false);
        RequireText(command.Payload, "Payload", MaxPayloadLength, required: false);
        if (DestinationQueueName.Validate(command.DestinationQueue) is { } badQueue)
        {
            throw new TaskValidationException(badQueue);
        }

        if (!Enum.IsDefined(command.TriggerKind))
        {
            throw new TaskValidationException($"TriggerKind {(int)command.TriggerKind} is unknown. Use Detect, Once, Cron, RRule or Text.");
        }

        if (!Enum.IsDefined(command.Misfire))
        {
            throw new TaskValidationException($"Misfire {(int)command.Misfire} is unknown. Use FireOnce, FireAll or Skip.");
        }

        if (!Enum.IsDefined(command.Overlap))
        {
            throw new TaskValidationException($"Overlap {(int)command.Overlap} is unknown. Use Skip, BufferOne or AllowAll.");
        }

        var metadata = ValidateMetadata(command.Metadata);
        var expireAfter = command.ExpireAfter ?? DefaultExpireAfter;
        if (expireAfter < MinExpireAfter || expireAfter > MaxExpireAfter)
        {
            throw new TaskValidationException(
                $"ExpireAfter {expireAfter} is out of range. Give how long one run may take before it is retried: at least {MinExpireAfter.TotalSeconds} second and at most {MaxExpireAfter.TotalDays} days, e.g. 00:05:00.");
        }

        RequireWholeMilliseconds(expireAfter, "ExpireAfter");

        var retry = command.Retry ?? RetryPolicy.Default;
        ValidateRetry(retry);
        var jitter = ValidateJitter(command.Jitter);

        var startAt = (command.StartAt ?? now).ToUniversalTime();
        if (!TriggerInstants.Contains(startAt))
        {
            throw new TaskValidationException(
                $"StartAt {startAt.ToString("O", CultureInfo.InvariantCulture)} is outside the supported range, {TriggerInstants.Range}. Give an instant within it, or leave StartAt out to start now.");
        }

        ITrigger trigger;
        DateTimeOffset? first;
        TaskEnd end;
        string? calendarName;
        try
        {
            var parsed = TriggerFactory.Read(command.TriggerKind, command.Trigger, command.TimeZone, startAt);
            trigger = parsed.Trigger;
            foreach (var reading in parsed.Readings)
            {
                readings?.Add(reading);
            }

            var (endAt, maxOccurrences) = EndOf(command, parsed, endIfNone);
            calendarName = CalendarOf(command, parsed, calendarIfNone);
            var exclusions = calendarName is null ? null : Calendars.TaskCalendar.Compile(
                (calendars?.Invoke(calendarName) ?? throw new TaskValidationException(
                    $"Calendar '{calendarName}' does not exist. Create it first (SetCalendar, the admin API's PUT calendars/{calendarName}, or 'scheduler calendars set {calendarName}'), or name another.")).Spec,
                trigger.TimeZone);
            try
            {
                first = FirstFireTime(trigger, startAt);
                if (first is { } f && endAt is { } e && f > e)
                {
                    throw new TaskValidationException(
                        $"Trigger '{command.Trigger}' first fires at {f.ToString("O", CultureInfo.InvariantCulture)}, after the task's end, EndAt {e.ToString("O", CultureInfo.InvariantCulture)}: it would never fire. Give a later EndAt (or none).");
                }

                // Occurrences the calendar excludes do not count towards MaxOccurrences.
                end = first is null ? new TaskEnd(endAt, maxOccurrences, null)
                    : TaskEnd.Of(trigger, startAt, endAt, maxOccurrences, exclusions is null ? null : fire => exclusions.Excludes(fire) is null);
            }
            catch (Exception ex) when (TriggerInstants.IsEvaluationFailure(ex))
            {
                throw TriggerFactory.CannotEvaluate(command.Trigger, trigger.TimeZone, ex);
            }
        }
        catch (TriggerFormatException ex)
        {
            throw new TaskValidationException(ex.Message, ex);
        }

        if (first is null)
        {
            throw new TaskValidationException(
                $"Trigger '{command.Trigger}' never fires at or after {startAt:O} in time zone {trigger.TimeZone.Id}. Check the date fields and StartAt.");
        }

        if (!TriggerInstants.Contains(first.Value))
        {
            throw new TaskValidationException(
                $"Trigger '{command.Trigger}' first fires at {first.Value.ToString("O", CultureInfo.InvariantCulture)}, which is outside the supported range, {TriggerInstants.Range}. Give a fire time within it.");
        }

        // A phrase is stored as what it normalized to (cron, an RRULE whose DTSTART holds the anchor, or a one-shot's instant), and the
        // phrase for display.
        var stored = trigger is TextTrigger text ? text.Normalized : trigger;
        var phrase = trigger is TextTrigger recurring ? recurring.Expression
            : trigger is ExecuteOnceTrigger && (command.TriggerKind == TriggerKind.Text
                || (command.TriggerKind == TriggerKind.Detect && TriggerFactory.Detect(command.Trigger, trigger.TimeZone) == TriggerKind.Text))
                ? TextTrigger.Canonical(command.Trigger) : null;
        return new TaskDefinition
        {
            Id = command.TaskId ?? (newId ?? Guid.CreateVersion7).Invoke(),
            TriggerKind = stored.Kind,
            Trigger = stored.Expression,
            TriggerPhrase = phrase,
            TimeZoneId = trigger.TimeZone.Id,
            StartAt = startAt,
            Metadata = metadata,
            Payload = command.Payload,
            ExpireAfter = expireAfter,
            Retry = retry,
            Misfire = command.Misfire,
            Overlap = command.Overlap,
            Jitter = jitter,
            Calendar = calendarName,
            EndAt = end.EndAt,
            MaxOccurrences = end.MaxOccurrences,
            LastFireTime = end.LastFireTime,
            DestinationQueue = command.DestinationQueue,
            IdempotencyKey = command.IdempotencyKey,
            CreatedAt = now,
            NextFireTime = first,
        };
    }

    /// <summary>The task's calendar: the command's, else its phrase's (<c>except holidays</c>), else <paramref name="calendarIfNone"/>; a
    /// command and a phrase that name different ones are refused.</summary>
    private static string? CalendarOf(ScheduleTask command, ParsedTrigger parsed, string? calendarIfNone)
    {
        if (command.Calendar is { Length: > 0 } given && parsed.Calendar is { } said && !string.Equals(given, said, StringComparison.Ordinal))
        {
            throw new TaskValidationException(
                $"Calendar '{given}' and the trigger's calendar ('{command.Trigger}': '{said}') differ. Name the calendar once: in Calendar or in the phrase.");
        }

        var name = command.Calendar is { Length: > 0 } c ? c : parsed.Calendar ?? calendarIfNone;
        if (name is not null)
        {
            Calendars.TaskCalendar.ValidateName(name);
        }

        return name;
    }

    /// <summary>The task's end: what the command gives, else what its phrase gives, else <paramref name="endIfNone"/>; a command and a phrase
    /// that give different values are refused, naming both.</summary>
    private static (DateTimeOffset? EndAt, int? MaxOccurrences) EndOf(ScheduleTask command, ParsedTrigger parsed, TaskEnd endIfNone)
    {
        if (command.EndAt is { } given && parsed.EndAt is { } said && given.ToUniversalTime() != said)
        {
            throw new TaskValidationException(
                $"EndAt {given.ToString("O", CultureInfo.InvariantCulture)} and the trigger's end ('{command.Trigger}': {said.ToString("O", CultureInfo.InvariantCulture)}) differ. Give the end once: in EndAt or in the phrase.");
        }

        if (command.MaxOccurrences is { } count && parsed.MaxOccurrences is { } times && count != times)
        {
            throw new TaskValidationException(
                $"MaxOccurrences {count} and the trigger's '{times} times' ('{command.Trigger}') differ. Give the number of occurrences once: in MaxOccurrences or in the phrase.");
        }

        var endAt = command.EndAt?.ToUniversalTime() ?? parsed.EndAt ?? endIfNone.EndAt;
        var maxOccurrences = command.MaxOccurrences ?? parsed.MaxOccurrences ?? endIfNone.MaxOccurrences;
        if (endAt is { } end && !TriggerInstants.Contains(end))
        {
            throw new TaskValidationException(
                $"EndAt {end.ToString("O", CultureInfo.InvariantCulture)} is outside the supported range, {TriggerInstants.Range}. Give an instant within it, or leave EndAt out for no end.");
        }

        if (maxOccurrences is < 1 or > TaskEnd.MaxOccurrencesLimit)
        {
            throw new TaskValidationException(
                $"MaxOccurrences {maxOccurrences} is out of range. Give how many times the task fires at most, 1 to {TaskEnd.MaxOccurrencesLimit:N0}, or leave it out for no limit.");
        }

        return (endAt, maxOccurrences);
    }

    /// <summary>
    /// The edit <see cref="UpdateTask"/> makes of <paramref name="stored"/>: the values given replace the stored ones and the result is
    /// validated as a <see cref="ScheduleTask"/> is (<see cref="Create"/>). A trigger, zone or start that differs from the stored one
    /// (compared as stored: a phrase by what it means) plans the task anew from the first fire time at or after the start, by default
    /// <paramref name="now"/> (<see cref="Storage.TakeBack.Replan"/>); a new ExpireAfter, retry policy or jitter plans the occurrences not yet begun
    /// again (<see cref="Storage.TakeBack.Rewind"/>), since instances carry copies of them; metadata, payload, misfire and overlap policy take
    /// effect without touching instances.
    /// </summary>
    /// <returns>The edit, or <see langword="null"/> when the update changes nothing.</returns>
    /// <exception cref="TaskValidationException">A value is invalid; the message names it and the fix.</exception>
    /// <param name="stored">The definition as stored.</param>
    /// <param name="update">The command.</param>
    /// <param name="now">The current time (UTC), the default start of a re-timed task.</param>
    /// <param name="readings">Receives how words of a new English trigger that people read in more than one way were read; <see langword="null"/>
    /// drops them.</param>
    /// <param name="calendars">Finds a calendar by name (the task's, or the update's new one).</param>
    public static Storage.DefinitionEdit? Update(TaskDefinition stored, UpdateTask update, DateTimeOffset now, ICollection<string>? readings = null,
        Func<string, Calendars.TaskCalendar?>? calendars = null)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(update);
        ScheduleTask Command(DateTimeOffset startAt) => new()
        {
            TaskId = stored.Id,
            Trigger = update.Trigger ?? stored.Trigger,
            TriggerKind = update.Trigger is null ? stored.TriggerKind : update.TriggerKind,
            TimeZone = update.TimeZone ?? stored.TimeZoneId,
            StartAt = startAt,
            Metadata = update.Metadata ?? stored.Metadata,
            Payload = update.Payload ?? stored.Payload,
            ExpireAfter = update.ExpireAfter ?? stored.ExpireAfter,
            Retry = update.Retry ?? stored.Retry,
            Misfire = update.Misfire ?? stored.Misfire,
            Overlap = update.Overlap ?? stored.Overlap,
            Jitter = update.Jitter ?? stored.Jitter,
            Calendar = update.Calendar is { Length: > 0 } calendar ? calendar : null,
            EndAt = update.EndAt == DateTimeOffset.MaxValue ? null : update.EndAt,
            MaxOccurrences = update.MaxOccurrences == 0 ? null : update.MaxOccurrences,
            DestinationQueue = stored.DestinationQueue,
            IdempotencyKey = stored.IdempotencyKey,
        };

        // The stored end stays unless the update (or its new phrase) gives another; DateTimeOffset.MaxValue and 0 remove it.
        var storedEnd = new TaskEnd(update.EndAt == DateTimeOffset.MaxValue ? null : stored.EndAt, update.MaxOccurrences == 0 ? null : stored.MaxOccurrences, null);

        // Built with the stored start first: an unchanged trigger (a phrase included, whose RRULE's DTSTART is the start) comes out as stored.
        var sameReadings = new List<string>();
        var storedCalendar = update.Calendar is { Length: 0 } ? null : stored.Calendar; // "" removes it
        var same = Build(Command(update.StartAt ?? stored.StartAt), now, newId: null, sameReadings, storedEnd, storedCalendar, calendars);
        var retimed = same.TriggerKind != stored.TriggerKind || !string.Equals(same.Trigger, stored.Trigger, StringComparison.Ordinal)
            || !string.Equals(same.TimeZoneId, stored.TimeZoneId, StringComparison.Ordinal) || same.StartAt != stored.StartAt;
        var builtReadings = sameReadings;
        var built = retimed && update.StartAt is null ? Build(Command(now), now, newId: null, builtReadings = [], storedEnd, storedCalendar, calendars) : same;
        if (update.Trigger is not null)
        {
            foreach (var reading in builtReadings)
            {
                readings?.Add(reading);
            }
        }

        var replanned = built.ExpireAfter != stored.ExpireAfter || built.Retry != stored.Retry || built.Jitter != stored.Jitter;
        var reEnded = built.End != stored.End || !string.Equals(built.Calendar, stored.Calendar, StringComparison.Ordinal);
        var unchanged = !retimed && !replanned && !reEnded && built.Misfire == stored.Misfire && built.Overlap == stored.Overlap
            && string.Equals(built.Payload, stored.Payload, StringComparison.Ordinal)
            && built.Metadata.Count == stored.Metadata.Count
            && stored.Metadata.All(e => built.Metadata.TryGetValue(e.Key, out var v) && string.Equals(v, e.Value, StringComparison.Ordinal));
        if (unchanged)
        {
            return null;
        }

        var updated = new TaskDefinition
        {
            Id = stored.Id,
            TriggerKind = built.TriggerKind,
            Trigger = built.Trigger,
            TriggerPhrase = retimed ? built.TriggerPhrase : stored.TriggerPhrase,
            TimeZoneId = built.TimeZoneId,
            StartAt = built.StartAt,
            Metadata = built.Metadata,
            Payload = built.Payload,
            ExpireAfter = built.ExpireAfter,
            Retry = built.Retry,
            Misfire = built.Misfire,
            Overlap = built.Overlap,
            Jitter = built.Jitter,
            Calendar = built.Calendar,
            EndAt = built.EndAt,
            MaxOccurrences = built.MaxOccurrences,
            LastFireTime = built.LastFireTime,
            DestinationQueue = stored.DestinationQueue,
            IdempotencyKey = stored.IdempotencyKey,
            CreatedAt = stored.CreatedAt,
            NextFireTime = retimed ? built.NextFireTime : reEnded && stored.NextFireTime is null ? Resumed(built, now) : stored.NextFireTime,
            CancelledAt = stored.CancelledAt,
            PausedAt = stored.PausedAt,
            ChangedAt = stored.ChangedAt,
            TraceParent = stored.TraceParent, // the task's trace stays the one it was scheduled in
            Version = stored.Version,
        };
        // A new end takes back the occurrences not yet begun, which are planned again up to it (the planner ends the task at its end).
        return new Storage.DefinitionEdit(updated, retimed ? Storage.TakeBack.Replan : replanned || reEnded ? Storage.TakeBack.Rewind : Storage.TakeBack.None);
    }

    /// <summary>
    /// The edit a change of <paramref name="calendar"/> makes of a task that names it (<see cref="Storage.IDefinitionStore.ChangeCalendarAsync"/>):
    /// its occurrences not yet begun are taken back and planned again under the calendar (<see cref="Storage.TakeBack.Rewind"/>), and its
    /// last occurrence under <see cref="TaskDefinition.MaxOccurrences"/> is found again, since excluded occurrences do not count. A finished
    /// task that the change leaves occurrences to continues from its first fire time at or after <paramref name="now"/>.
    /// </summary>
    /// <param name="stored">The task as stored.</param>
    /// <param name="calendar">The calendar as it is after the change.</param>
    /// <param name="now">The current time (UTC).</param>
    /// <exception cref="TaskValidationException">The calendar cannot be read for the task's zone.</exception>
    public static Storage.DefinitionEdit Recalendar(TaskDefinition stored, Calendars.TaskCalendar calendar, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(calendar);
        var updated = stored.Clone();
        if (stored.MaxOccurrences is { } max)
        {
            var trigger = TriggerFactory.Create(stored.TriggerKind, stored.Trigger, stored.TimeZoneId, stored.StartAt);
            var exclusions = Calendars.TaskCalendar.Compile(calendar.Spec, trigger.TimeZone);
            updated.LastFireTime = TaskEnd.Of(trigger, stored.StartAt, stored.EndAt, max, fire => exclusions.Excludes(fire) is null).LastFireTime;
            if (stored.NextFireTime is null && stored.CancelledAt is null && updated.LastFireTime != stored.LastFireTime)
            {
                updated.NextFireTime = Resumed(updated, now);
            }
        }

        return new Storage.DefinitionEdit(updated, Storage.TakeBack.Rewind);
    }

    // A finished task given a later end continues from its first fire time at or after now, if its end allows it.
    private static DateTimeOffset? Resumed(TaskDefinition definition, DateTimeOffset now) =>
        TriggerFactory.Create(definition.TriggerKind, definition.Trigger, definition.TimeZoneId, definition.StartAt).GetNextFireTime(now.AddTicks(-1)) is { } next
            && definition.End.Allows(next) ? next : null;

    /// <summary>
    /// <paramref name="command"/> with <paramref name="defaultDestinationQueue"/> as its <see cref="ScheduleTask.DestinationQueue"/> when it
    /// names neither a destination queue nor <see cref="ScheduleTask.Broadcast"/>; otherwise <paramref name="command"/> itself.
    /// </summary>
    /// <param name="command">The command.</param>
    /// <param name="defaultDestinationQueue">The node's <c>Scheduler:DefaultDestinationQueue</c>, or <see langword="null"/>.</param>
    public static ScheduleTask WithDefaultDestination(ScheduleTask command, string? defaultDestinationQueue)
    {
        ArgumentNullException.ThrowIfNull(command);
        return command.DestinationQueue is null && !command.Broadcast && defaultDestinationQueue is not null
            ? command with { DestinationQueue = defaultDestinationQueue }
            : command;
    }

    /// <summary>
    /// The recipient rule: every task has one recipient unless it opts into fan-out, so a command names exactly one of
    /// <see cref="ScheduleTask.DestinationQueue"/> (sent to that queue) and <see cref="ScheduleTask.Broadcast"/> (published to every
    /// subscriber; stored without a queue). Applied after <see cref="Create"/> (whose reasons come first) and after
    /// <see cref="WithDefaultDestination"/>.
    /// </summary>
    /// <param name="command">The command.</param>
    /// <exception cref="TaskValidationException">Both are set, or neither; the message names the fields and the fix.</exception>
    public static void RequireRecipient(ScheduleTask command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.Broadcast && command.DestinationQueue is not null)
        {
            throw new TaskValidationException(
                $"DestinationQueue '{command.DestinationQueue}' and Broadcast are both set. Give one: DestinationQueue to send each TaskDue to that queue only, or Broadcast = true (and no DestinationQueue) to publish it to every subscriber.");
        }

        if (!command.Broadcast && command.DestinationQueue is null)
        {
            throw new TaskValidationException(
                "DestinationQueue is missing. Name the queue whose consumer runs the task (e.g. DestinationQueue = \"billing-reminders\", the queue given to AddTaskConsumer), " +
                "or set Broadcast = true to publish each TaskDue to every service that consumes TaskDue; a node may also be given a default (Scheduler:DefaultDestinationQueue).");
        }
    }

    /// <summary>
    /// Compares a definition built from a command with the one already stored under the same task id or idempotency key: a repeat of the same
    /// command is answered as already scheduled, but a command that reuses the id or key with other content is refused, so a change is never
    /// dropped silently.
    /// </summary>
    /// <param name="stored">The definition stored earlier.</param>
    /// <param name="requested">The definition <see cref="Create"/> built from the new command.</param>
    /// <param name="command">The new command (its <see cref="ScheduleTask.StartAt"/> is compared only when given: the default is "now"). A repeat
    /// found by idempotency key is answered with the stored task's id, whatever id the command carries (node consumers give every command one).</param>
    /// <returns><see langword="null"/> when the content is the same; otherwise the reason, naming the first field that differs and both values.</returns>
    public static string? FindConflict(TaskDefinition stored, TaskDefinition requested, ScheduleTask command)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(requested);
        ArgumentNullException.ThrowIfNull(command);
        static string Show(object? value) => value switch
        {
            null => "none",
            string text => $"'{(text.Length > 64 ? text[..64] + "…" : text)}'",
            IReadOnlyDictionary<string, string> map => "{" + string.Join(", ", map.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={e.Value}")) + "}",
            DateTimeOffset instant => instant.ToString("O", CultureInfo.InvariantCulture),
            _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
        };

        static long Micros(DateTimeOffset instant) => instant.UtcTicks / 10; // what every store keeps of an instant

        // A phrase is compared as the phrase: what it normalized to depends on when it was scheduled (an RRULE's DTSTART, a one-shot's instant),
        // so a repeat a moment later is the same command. A task stored with kind Text (before phrases were stored normalized) holds its phrase.
        static string ShownTrigger(TaskDefinition d) => d.TriggerPhrase ?? (d.TriggerKind == TriggerKind.Text ? d.Trigger : $"{d.TriggerKind} {d.Trigger}");
        var triggerDiffers = requested.TriggerPhrase is { } phrase && command.StartAt is null
            ? !string.Equals(stored.TriggerPhrase ?? (stored.TriggerKind == TriggerKind.Text ? stored.Trigger : null), phrase, StringComparison.Ordinal)
            : stored.TriggerKind != requested.TriggerKind || !string.Equals(stored.Trigger, requested.Trigger, StringComparison.Ordinal);
        var differences = new (string Field, bool Differs, object? Stored, object? Requested)[]
        {
            ("IdempotencyKey", !string.Equals(stored.IdempotencyKey, requested.IdempotencyKey, StringComparison.Ordinal), stored.IdempotencyKey, requested.IdempotencyKey),
            ("Trigger", triggerDiffers, ShownTrigger(stored), ShownTrigger(requested)),
            ("TimeZone", !string.Equals(stored.TimeZoneId, requested.TimeZoneId, StringComparison.Ordinal), stored.TimeZoneId, requested.TimeZoneId),
            ("StartAt", command.StartAt is not null && Micros(stored.StartAt) != Micros(requested.StartAt), stored.StartAt, requested.StartAt),
            ("Metadata", stored.Metadata.Count != requested.Metadata.Count
                || stored.Metadata.Any(e => !requested.Metadata.TryGetValue(e.Key, out var v) || !string.Equals(v, e.Value, StringComparison.Ordinal)),
                stored.Metadata, requested.Metadata),
            ("Payload", !string.Equals(stored.Payload, requested.Payload, StringComparison.Ordinal), stored.Payload, requested.Payload),
            ("ExpireAfter", stored.ExpireAfter != requested.ExpireAfter, stored.ExpireAfter, requested.ExpireAfter),
            ("Retry", stored.Retry != requested.Retry, stored.Retry, requested.Retry),
            ("Misfire", stored.Misfire != requested.Misfire, stored.Misfire, requested.Misfire),
            ("Overlap", stored.Overlap != requested.Overlap, stored.Overlap, requested.Overlap),
            ("Jitter", stored.Jitter != requested.Jitter, stored.Jitter, requested.Jitter),
            ("Calendar", !string.Equals(stored.Calendar, requested.Calendar, StringComparison.Ordinal), stored.Calendar, requested.Calendar),
            ("EndAt", command.EndAt is not null && (stored.EndAt is null || requested.EndAt is null || Micros(stored.EndAt.Value) != Micros(requested.EndAt.Value)),
                stored.EndAt, requested.EndAt),
            ("MaxOccurrences", stored.MaxOccurrences != requested.MaxOccurrences, stored.MaxOccurrences, requested.MaxOccurrences),
            ("DestinationQueue", !string.Equals(stored.DestinationQueue, requested.DestinationQueue, StringComparison.Ordinal), stored.DestinationQueue,
                requested.DestinationQueue),
        };
        var conflict = differences.FirstOrDefault(d => d.Differs);
        if (conflict.Field is null)
        {
            return null;
        }

        var key = command.TaskId is not null && command.TaskId == stored.Id ? $"TaskId {stored.Id}" : $"IdempotencyKey '{stored.IdempotencyKey}'";
        return $"{key} is already scheduled with a different {conflict.Field}: stored {Show(conflict.Stored)}, this command {Show(conflict.Requested)}. " +
            "Send the same content to repeat the command, use a new TaskId (or IdempotencyKey) for a new task, or cancel the task before scheduling it again.";
    }

    /// <summary>
    /// The first fire time of a task that starts at <paramref name="startAt"/>: the trigger's first fire time at or after it, except that an
    /// execute-once trigger's instant counts even if it has passed (such a task fires at once, subject to its misfire policy).
    /// </summary>
    public static DateTimeOffset? FirstFireTime(ITrigger trigger, DateTimeOffset startAt)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        return trigger is ExecuteOnceTrigger once ? once.FireTime : trigger.GetNextFireTime(startAt.AddTicks(-1));
    }

    private static Dictionary<string, string> ValidateMetadata(IReadOnlyDictionary<string, string>? metadata)
    {
        var copy = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata is null)
        {
            return copy;
        }

        if (metadata.Count > MaxMetadataEntries)
        {
            throw new TaskValidationException($"Metadata has {metadata.Count} entries; at most {MaxMetadataEntries} are allowed. Move bulk data into Payload.");
        }

        foreach (var (key, value) in metadata)
        {
            RequireText(key, "Metadata key", MaxMetadataKeyLength, required: true);
            if (value is null)
            {
                throw new TaskValidationException($"Metadata '{key}' has a null value. Use an empty string or leave the entry out.");
            }

            RequireText(value, $"Metadata '{key}'", MaxMetadataValueLength, required: false);
            copy[key] = value;
        }

        return copy;
    }

    private static void ValidateRetry(RetryPolicy retry)
    {
        if (retry.MaxAttempts is < 1 or > 100)
        {
            throw new TaskValidationException($"Retry.MaxAttempts {retry.MaxAttempts} is out of range. Use 1 (no retry) to 100.");
        }

        if (retry.InitialBackoff < TimeSpan.Zero)
        {
            throw new TaskValidationException($"Retry.InitialBackoff {retry.InitialBackoff} is negative. Use zero or more, e.g. 00:00:01.");
        }

        if (retry.MaxBackoff < retry.InitialBackoff || retry.MaxBackoff > MaxExpireAfter)
        {
            throw new TaskValidationException(
                $"Retry.MaxBackoff {retry.MaxBackoff} is out of range. Use at least InitialBackoff ({retry.InitialBackoff}) and at most {MaxExpireAfter.TotalDays} days.");
        }

        if (double.IsNaN(retry.BackoffMultiplier) || retry.BackoffMultiplier is < 1 or > 10)
        {
            throw new TaskValidationException($"Retry.BackoffMultiplier {retry.BackoffMultiplier} is out of range. Use 1 (constant delay) to 10.");
        }

        RequireWholeMilliseconds(retry.InitialBackoff, "Retry.InitialBackoff");
        RequireWholeMilliseconds(retry.MaxBackoff, "Retry.MaxBackoff");
    }

    /// <summary>The stored jitter window: <see langword="null"/> for none (also for zero); otherwise whole milliseconds up to <see cref="MaxJitter"/>.</summary>
    private static TimeSpan? ValidateJitter(TimeSpan? jitter)
    {
        if (jitter is not { } window || window == TimeSpan.Zero)
        {
            return null;
        }

        if (window < TimeSpan.Zero || window > MaxJitter)
        {
            throw new TaskValidationException(
                $"Jitter {window} is out of range. Give the window over which each occurrence may be delayed: more than zero and at most {MaxJitter.TotalDays} day, e.g. 00:00:30; leave it out for none.");
        }

        RequireWholeMilliseconds(window, "Jitter");
        return window;
    }

    /// <summary>Durations are stored to the millisecond or finer on every store (PostgreSQL intervals hold microseconds), so a duration with a
    /// fraction of a millisecond would not survive the round trip as given: it is refused rather than silently rounded.</summary>
    private static void RequireWholeMilliseconds(TimeSpan value, string name)
    {
        if (value.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            throw new TaskValidationException(
                $"{name} {value} has a fraction of a millisecond, which is not stored. Give whole milliseconds, e.g. {TimeSpan.FromMilliseconds(Math.Ceiling(value.TotalMilliseconds))}.");
        }
    }

    private static void RequireText(string? value, string name, int maxLength, bool required)
    {
        if (required && string.IsNullOrWhiteSpace(value))
        {
            throw new TaskValidationException($"{name} is empty or white space. Give a value.");
        }

        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        if (value.Length > maxLength)
        {
            throw new TaskValidationException($"{name} is {value.Length} characters long; at most {maxLength} are allowed.");
        }

        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new TaskValidationException($"{name} contains a NUL character (\\0), which databases such as PostgreSQL cannot store. Remove it.");
        }

        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                throw new TaskValidationException(
                    $"{name} contains an unpaired surrogate U+{(int)value[i]:X4} at index {i}: it is not valid Unicode, so it cannot be stored (PostgreSQL) or sent (UTF-8). Fix the text's encoding or remove the character.");
            }
        }
    }
}
