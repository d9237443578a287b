namespace Scheduler.Contracts;

/// <summary>
/// Command: create a task definition. Send it to the scheduler nodes' queue, <see cref="SchedulerEndpoints.ScheduleTask"/> of their cluster
/// (nodes of the default cluster also take it published); the node answers with
/// <see cref="TaskScheduled"/> or <see cref="TaskRejected"/> (as a response when sent with a request client, else published).
/// </summary>
/// <remarks>
/// <see cref="Trigger"/> is required, and so is the recipient: <see cref="DestinationQueue"/> (one queue, the usual case) or
/// <see cref="Broadcast"/> (every subscriber), unless the node has a default destination queue. A rejected command stores nothing. Delivery of the resulting <see cref="TaskDue"/>
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

    /// <summary>How long one attempt may run, from the start of its handler, without an outcome or a heartbeat before it is treated as lost and
    /// dispatched again (the seed's ExpireAfter). The time its <see cref="TaskDue"/> waits in the destination queue does not count (that is
    /// bounded by the node's queue timeout). <value>Default 5 minutes; more than zero and at most 7 days.</value></summary>
    public TimeSpan? ExpireAfter { get; init; }

    /// <summary>Retries after failure or expiry. <value>Default <see cref="RetryPolicy.Default"/>.</value></summary>
    public RetryPolicy? Retry { get; init; }

    /// <summary>What to do with fire times missed while no node ran. <value>Default <see cref="MisfirePolicy.FireOnce"/>.</value></summary>
    public MisfirePolicy Misfire { get; init; }

    /// <summary>
    /// The last instant (inclusive) a fire time of the task may be, whatever its trigger (as Quartz's <c>EndAt</c> and RRULE's <c>UNTIL</c>);
    /// the task then plans no more and is <see cref="TaskState.Finished"/> once its last occurrence is planned. A phrase may give it instead
    /// (<c>until 2026-12-31</c>, <c>until 5pm</c>, <c>for 3 weeks</c>); giving both with different values is rejected. <value>Default: no end.</value>
    /// </summary>
    public DateTimeOffset? EndAt { get; init; }

    /// <summary>
    /// The most occurrences the task has, counted from <see cref="StartAt"/> (as RRULE's <c>COUNT</c>): each fire time of the trigger at or after
    /// the start counts, whether it ran, was skipped by the misfire or overlap policy or not, except the ones its calendar excludes. The last one
    /// is found when the task is stored (<see cref="TaskScheduled.LastFireTime"/>). A phrase may give it instead (<c>10 times</c>).
    /// <value>Default: no limit; 1 to 100,000.</value>
    /// </summary>
    public int? MaxOccurrences { get; init; }

    /// <summary>
    /// The name of a calendar (<see cref="SetCalendar"/>) whose excluded dates and times the task skips: an occurrence it excludes is not run
    /// and is recorded as a Skipped instance naming the calendar. A phrase may name it instead (<c>every weekday at 9am except holidays</c>).
    /// A calendar that does not exist is rejected. <value>Default: none.</value>
    /// </summary>
    public string? Calendar { get; init; }

    /// <summary>
    /// A window over which the task's occurrences are spread, so that many tasks on one schedule (10,000 tasks on <c>* * * * *</c>) do not all
    /// fall due at the same instant: each occurrence is due at its fire time plus a delay drawn from (task id, fire time) in [0, window), never
    /// before its fire time, the same on every node; the delay is capped at the time to the task's next fire time, so occurrences keep their
    /// order. <see cref="TaskDue.FireTime"/> stays the nominal fire time and <see cref="TaskDue.DueAt"/> is the delayed one, from which
    /// lateness is measured (as Temporal's schedule jitter). <value>Default: none. Whole milliseconds, at most 1 day.</value>
    /// </summary>
    public TimeSpan? Jitter { get; init; }

    /// <summary>What to do with an occurrence of a recurring task that comes due while an earlier one is still active.
    /// <value>Default <see cref="OverlapPolicy.Skip"/>.</value></summary>
    public OverlapPolicy Overlap { get; init; }

    /// <summary>
    /// The queue to which each <see cref="TaskDue"/> of this task is sent, so that only the service consuming that queue runs it (its instances
    /// compete, so one of them runs each attempt). A RabbitMQ queue name: letters, digits and <c>- _ . :</c>, at most 255 bytes, not
    /// starting with <c>amq.</c>.
    /// <value>Default: the node's <c>Scheduler:DefaultDestinationQueue</c> when it has one; without it, a command that names neither this
    /// nor <see cref="Broadcast"/> is rejected.</value>
    /// </summary>
    public string? DestinationQueue { get; init; }

    /// <summary>
    /// <see langword="true"/> to publish each <see cref="TaskDue"/> of this task to every service that subscribes to <see cref="TaskDue"/>
    /// (fan-out: every subscribing queue gets a copy, and each runs it) instead of sending it to one queue. An explicit opt-in: a task
    /// has one recipient unless it says otherwise. Excludes <see cref="DestinationQueue"/>. <value>Default <see langword="false"/>.</value>
    /// </summary>
    public bool Broadcast { get; init; }

    /// <summary>A client key (at most 256 characters) that makes the command idempotent: a second command with the same key creates nothing
    /// and is answered with the first one's <see cref="TaskScheduled"/>.</summary>
    public string? IdempotencyKey { get; init; }
}
