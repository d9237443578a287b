namespace Scheduler.Contracts;

/// <summary>
/// Command: create a task definition. Publish or send it to a scheduler node; the node answers with
/// <see cref="TaskScheduled"/> or <see cref="TaskRejected"/> (as a response when sent with a request client, else published).
/// </summary>
/// <remarks>
/// Only <see cref="Trigger"/> is required. A rejected command stores nothing. Delivery of the resulting <see cref="TaskDue"/>
/// messages is at-least-once: handlers should be idempotent on (<see cref="TaskDue.InstanceId"/>, <see cref="TaskDue.Attempt"/>).
/// </remarks>
public sealed record ScheduleTask
{
    /// <summary>The id of the task definition to create. <value>Default: a new id chosen by the node.</value>
    /// Sending the same id twice creates one definition; the second command is answered with the first one's <see cref="TaskScheduled"/>.</summary>
    public Guid? TaskId { get; init; }

    /// <summary>When the task fires, read according to <see cref="TriggerKind"/>: an instant, a cron expression, an RRULE or an English phrase.</summary>
    public required string Trigger { get; init; }

    /// <summary>How <see cref="Trigger"/> is read. <value>Default <see cref="Contracts.TriggerKind.Detect"/>.</value></summary>
    public TriggerKind TriggerKind { get; init; }

    /// <summary>IANA time zone id in which the trigger is evaluated, e.g. <c>Europe/Berlin</c>. <value>Default <c>UTC</c>.</value></summary>
    public string? TimeZone { get; init; }

    /// <summary>Earliest instant at which the task may fire; also the anchor of "every other ..." phrases and RRULEs without DTSTART.
    /// <value>Default: the instant the node accepts the command.</value></summary>
    public DateTimeOffset? StartAt { get; init; }

    /// <summary>Free-form string pairs copied into every <see cref="TaskDue"/>. At most 64 entries, keys at most 256 and values at most 4,096 characters.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Opaque text (for example JSON) copied into every <see cref="TaskDue"/>. At most 256 KiB.</summary>
    public string? Payload { get; init; }

    /// <summary>How long one dispatched attempt may run before it is treated as lost and dispatched again (the seed's ExpireAfter).
    /// <value>Default 5 minutes; more than zero and at most 7 days.</value></summary>
    public TimeSpan? ExpireAfter { get; init; }

    /// <summary>Retries after failure or expiry. <value>Default <see cref="RetryPolicy.Default"/>.</value></summary>
    public RetryPolicy? Retry { get; init; }

    /// <summary>What to do with fire times missed while no node ran. <value>Default <see cref="MisfirePolicy.FireOnce"/>.</value></summary>
    public MisfirePolicy Misfire { get; init; }

    /// <summary>What to do with an occurrence of a recurring task that comes due while an earlier one is still active.
    /// <value>Default <see cref="OverlapPolicy.Skip"/>.</value></summary>
    public OverlapPolicy Overlap { get; init; }

    /// <summary>Queue to which <see cref="TaskDue"/> is sent, so that only that service consumes it.
    /// <value>Default: none; <see cref="TaskDue"/> is published to every service that subscribes to it.</value></summary>
    public string? DestinationQueue { get; init; }

    /// <summary>A client key (at most 256 characters) that makes the command idempotent: a second command with the same key creates nothing
    /// and is answered with the first one's <see cref="TaskScheduled"/>.</summary>
    public string? IdempotencyKey { get; init; }
}
