namespace Scheduler.MassTransit.Worker;

/// <summary>Settings of worker-side task reporting.</summary>
public sealed class TaskReportingOptions
{
    /// <summary>
    /// Whether to publish <see cref="Contracts.TaskStarted"/> when a handler starts. <value>Default <see langword="false"/>: the start time
    /// travels in <see cref="Contracts.TaskCompleted"/> and <see cref="Contracts.TaskFailed"/>, which saves one message per task.</value>
    /// </summary>
    public bool ReportStart { get; set; }
}
