using System.ComponentModel.DataAnnotations;

namespace Scheduler.MassTransit.Worker;

/// <summary>Settings of worker-side task reporting (<c>AddTaskReporting</c>); they bind to the <c>TaskReporting</c> configuration section.</summary>
public sealed class TaskReportingOptions
{
    /// <summary>The configuration section these options bind to: <c>TaskReporting</c>.</summary>
    public const string SectionName = "TaskReporting";

    /// <summary>The name of the meter of a worker's reports (<c>scheduler.worker.*</c>): <c>BrokerScheduler.Worker</c>; collect it with
    /// OpenTelemetry's <c>AddMeter(TaskReportingOptions.MeterName)</c>.</summary>
    public const string MeterName = "BrokerScheduler.Worker";

    /// <summary>
    /// Whether to report <see cref="Contracts.TaskStarted"/> once a handler has run for a tenth of ExpireAfter (at most a second), so the
    /// attempt's ExpireAfter counts from its start, not from its dispatch: the time its <c>TaskDue</c> waited in the queue does not count, and a
    /// worker that dies mid-handler has its attempt dispatched again ExpireAfter after the start. A handler that returns sooner reports only its
    /// outcome, which carries its start time. Turned off, an attempt expires the node's queue timeout plus ExpireAfter after its dispatch.
    /// <value>Default <see langword="true"/>.</value>
    /// </summary>
    public bool ReportStart { get; set; } = true;

    /// <summary>
    /// Whether to send <see cref="Contracts.TaskHeartbeat"/> every ExpireAfter / 3 while a handler runs, so an attempt that legitimately runs
    /// longer than ExpireAfter is not dispatched again; a worker that dies stops heartbeating and its attempt is dispatched again ExpireAfter
    /// after its last heartbeat. Handlers may ask for more with <c>context.ReportHeartbeatAsync()</c> either way.
    /// <value>Default <see langword="true"/>.</value>
    /// </summary>
    public bool Heartbeats { get; set; } = true;

    /// <summary>
    /// Whether reports travel together: the reports of concurrent attempts handed in while a report message is on its way leave in the next
    /// <see cref="Contracts.TaskReportBatch"/> (at most <see cref="Contracts.TaskReportBatch.MaxReports"/> per message, two messages in flight,
    /// no timer: a lone report leaves at once). Under load a worker then costs the bus about one report message per many tasks instead of one per
    /// task, and the scheduler applies a batch in one transaction. What each report means does not change; a crash loses only reports not yet
    /// sent, as before (their attempts expire and run again).
    /// Turn it off only while the scheduler nodes are older than this worker (they do not consume <see cref="Contracts.TaskReportBatch"/>):
    /// upgrade the nodes first.
    /// <value>Default <see langword="true"/>.</value>
    /// </summary>
    public bool BatchReports { get; set; } = true;

    /// <summary>
    /// Longest a single report (an outcome, a start, a heartbeat) may take to reach the broker before it is abandoned: an outcome is then sent
    /// again in the background (its message is acknowledged all the same, so a handler never runs twice for want of a report), a start or a
    /// heartbeat is superseded by the next one. A connection the broker dropped mid-call never holds a handler or the endpoint.
    /// <value>Default 10 seconds; 100 milliseconds to 10 minutes.</value>
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long an outcome report that could not be sent is retried in the background (with backoff, while the broker is away) before it is
    /// given up, logged at Warning: its attempt then expires on the scheduler and runs again. <value>Default 10 minutes; 1 second to 1 day.</value>
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan OutcomeRetryLimit { get; set; } = TimeSpan.FromMinutes(10);
}
