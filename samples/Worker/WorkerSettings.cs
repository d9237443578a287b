namespace Worker;

/// <summary>The <c>Worker</c> configuration section (appsettings.json, <c>Worker__Queue=...</c> or <c>--Worker:Queue ...</c>).</summary>
public sealed class WorkerSettings
{
    /// <summary>The queue the worker consumes <c>TaskDue</c> from; instances on the same queue compete. <value>Default <c>reminders-worker</c>.</value></summary>
    public string Queue { get; set; } = "reminders-worker";

    /// <summary><see langword="true"/> to receive only tasks scheduled with this queue as their destination; <see langword="false"/> to also
    /// receive every broadcast <c>TaskDue</c> (tasks scheduled with <c>Broadcast = true</c>). <value>Default <see langword="true"/>.</value></summary>
    public bool OwnTasksOnly { get; set; } = true;

    /// <summary>Share of attempts (0 to 1) that throw, to show the scheduler's retries. <value>Default 0.</value></summary>
    public double FailureRate { get; set; }

    /// <summary>How long each attempt takes, to show competing consumers sharing work. <value>Default 0.</value></summary>
    public TimeSpan HandlerDelay { get; set; }

    /// <summary>The name this worker prints on each line. <value>Default: host name and process id.</value></summary>
    public string Name { get; set; } = $"{Environment.MachineName}/{Environment.ProcessId}";

    /// <summary>What is wrong with the settings, or <see langword="null"/>.</summary>
    public string? Validate() =>
        string.IsNullOrWhiteSpace(Queue) ? "Worker:Queue is empty; name a queue, e.g. Worker__Queue=reminders-worker."
        : FailureRate is < 0 or > 1 || double.IsNaN(FailureRate) ? $"Worker:FailureRate is {FailureRate}; give a share from 0 to 1, e.g. 0.3."
        : HandlerDelay < TimeSpan.Zero ? $"Worker:HandlerDelay is {HandlerDelay}; give a duration of at least 0, e.g. 00:00:02."
        : null;
}
