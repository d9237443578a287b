namespace Scheduler.MassTransit.Worker;

/// <summary>Settings of worker-side task reporting.</summary>
public sealed class TaskReportingOptions
{
    /// <summary>
    /// Whether to publish <see cref="Contracts.TaskStarted"/> when a handler starts. <value>Default <see langword="false"/>: the start time
    /// travels in <see cref="Contracts.TaskCompleted"/> and <see cref="Contracts.TaskFailed"/>, which saves one message per task.</value>
    /// </summary>
    public bool ReportStart { get; set; }

    /// <summary>
    /// Whether to publish <see cref="Contracts.TaskHeartbeat"/> every <see cref="Contracts.TaskDue.ExpireAfter"/> / 3 while a handler runs, so
    /// an attempt that legitimately takes longer than ExpireAfter is not dispatched again; a worker that dies stops heartbeating and its attempt
    /// is dispatched again after ExpireAfter. <value>Default <see langword="true"/>.</value>
    /// </summary>
    public bool Heartbeats { get; set; } = true;
}
