namespace Scheduler.Contracts;

/// <summary>
/// Event: a worker's reports of several attempts in one message, so a busy worker costs the bus about one report message per many tasks
/// instead of one per task. Each report in it means exactly what it means alone (<see cref="TaskStarted"/>, <see cref="TaskHeartbeat"/>,
/// <see cref="TaskCompleted"/>, <see cref="TaskFailed"/>): the scheduler's task instance saga decides each one on its own and applies them
/// together, in one transaction of its store. <c>AddTaskReporting</c> sends these (<c>TaskReportingOptions.BatchReports</c>).
/// </summary>
/// <remarks>
/// <para>A batch carries at most one report per attempt: an outcome supersedes a start or heartbeat of the same attempt in the same batch, and a
/// later heartbeat an earlier one. The lists may be empty, never <see langword="null"/>; at most <see cref="MaxReports"/> reports in all.</para>
/// <para>Scheduler nodes from the version that introduced this event consume it on their task instance saga's queue
/// (<see cref="SchedulerEndpoints.TaskInstanceSaga"/>), beside the single reports, which they still consume.</para>
/// </remarks>
public sealed record TaskReportBatch
{
    /// <summary>The most reports one batch carries: 100.</summary>
    public const int MaxReports = 100;

    /// <summary>Attempts that started.</summary>
    public IReadOnlyList<TaskStarted> Started { get; init; } = [];

    /// <summary>Attempts still running.</summary>
    public IReadOnlyList<TaskHeartbeat> Heartbeats { get; init; } = [];

    /// <summary>Attempts whose handler returned.</summary>
    public IReadOnlyList<TaskCompleted> Completed { get; init; } = [];

    /// <summary>Attempts whose handler threw.</summary>
    public IReadOnlyList<TaskFailed> Failed { get; init; } = [];
}
