using System.Text.RegularExpressions;

namespace Scheduler.Contracts;

/// <summary>
/// The queues (and, on RabbitMQ, the exchanges of the same names) that the scheduler nodes of one cluster own, derived from the cluster name:
/// <c>{cluster}-schedule-task</c>, <c>{cluster}-schedule-tasks</c>, <c>{cluster}-cancel-task</c>, <c>{cluster}-task-control</c>,
/// <c>{cluster}-task-instance</c>, <c>{cluster}-message-scheduler</c>, <c>{cluster}-scheduled-messages</c>. Nodes consume
/// from them; clients send their commands to them, e.g. <c>AddRequestClient&lt;ScheduleTask&gt;(SchedulerEndpoints.Address(endpoints.ScheduleTask))</c>.
/// </summary>
/// <remarks>
/// The default cluster, <c>scheduler</c>, keeps the queue names of versions before cluster names, and its command queues still receive
/// commands that are published rather than sent. The queues of any other cluster receive only what is sent to them, so that two
/// applications on one broker virtual host never consume each other's commands.
/// </remarks>
public sealed partial record SchedulerEndpoints
{
    /// <summary>The cluster name of a node that names none: <c>scheduler</c>.</summary>
    public const string DefaultClusterName = "scheduler";

    /// <summary>What a cluster name may be: lower-case letters, digits and <c>-</c>, starting with a letter, at most 64 characters.</summary>
    public const string ClusterNamePattern = "^[a-z][a-z0-9-]{0,63}$";

    /// <summary>The endpoints of cluster <paramref name="clusterName"/>.</summary>
    /// <param name="clusterName">The cluster name (a node's <c>Scheduler:ClusterName</c>).</param>
    /// <exception cref="ArgumentException"><paramref name="clusterName"/> does not match <see cref="ClusterNamePattern"/>.</exception>
    public SchedulerEndpoints(string clusterName)
    {
        if (clusterName is null || !ClusterNameRegex().IsMatch(clusterName))
        {
            throw new ArgumentException(
                $"Cluster name '{clusterName}' is invalid. Use lower-case letters, digits and '-', starting with a letter, at most 64 characters, e.g. 'billing'.",
                nameof(clusterName));
        }

        ClusterName = clusterName;
    }

    /// <summary>The endpoints of the default cluster, <c>scheduler</c>.</summary>
    public static SchedulerEndpoints Default { get; } = new(DefaultClusterName);

    /// <summary>The cluster name.</summary>
    public string ClusterName { get; }

    /// <summary>Whether this is the default cluster, whose command queues also receive published commands.</summary>
    public bool IsDefault => ClusterName == DefaultClusterName;

    /// <summary>The queue of <see cref="Contracts.ScheduleTask"/> commands: <c>{cluster}-schedule-task</c>.</summary>
    public string ScheduleTask => Name("schedule-task");

    /// <summary>The queue of <see cref="Contracts.ScheduleTasks"/> (bulk) commands: <c>{cluster}-schedule-tasks</c>.</summary>
    public string ScheduleTasks => Name("schedule-tasks");

    /// <summary>The queue of <see cref="Contracts.CancelTask"/> commands: <c>{cluster}-cancel-task</c>.</summary>
    public string CancelTask => Name("cancel-task");

    /// <summary>The queue of the task control commands and queries (<see cref="PauseTask"/>, <see cref="ResumeTask"/>, <see cref="UpdateTask"/>,
    /// <see cref="TriggerTaskNow"/>, <see cref="GetTask"/>, <see cref="ListTasks"/>, <see cref="GetTaskInstances"/>): <c>{cluster}-task-control</c>.</summary>
    public string TaskControl => Name("task-control");

    /// <summary>The queue of worker outcomes for the task instance saga: <c>{cluster}-task-instance</c>.</summary>
    public string TaskInstanceSaga => Name("task-instance");

    /// <summary>
    /// The queue of MassTransit's message scheduler commands (<c>MassTransit.Scheduling.ScheduleMessage</c>, <c>ScheduleRecurringMessage</c>,
    /// <c>CancelScheduledMessage</c>, <c>CancelScheduledRecurringMessage</c>, <c>PauseScheduledRecurringMessage</c>,
    /// <c>ResumeScheduledRecurringMessage</c>): <c>{cluster}-message-scheduler</c>. A service points MassTransit's
    /// <c>AddMessageScheduler</c> at it (<c>AddSchedulerMessageScheduler</c> does).
    /// </summary>
    public string MessageScheduler => Name("message-scheduler");

    /// <summary>The node-owned queue to which the task instances of scheduled messages are dispatched; a node sends each stored message on from
    /// there to its destination: <c>{cluster}-scheduled-messages</c>.</summary>
    public string ScheduledMessages => Name("scheduled-messages");

    /// <summary>The marker a node leaves on the broker to say which database the cluster's queues serve: <c>{cluster}-identity</c>.</summary>
    public string Identity => Name("identity");

    /// <summary>The MassTransit address of queue <paramref name="queueName"/>: <c>queue:{queueName}</c>.</summary>
    public static Uri Address(string queueName) => new($"queue:{queueName}");

    /// <summary>
    /// The MassTransit address to send to queue <paramref name="queueName"/> with: <c>queue:{queueName}</c>, or, when it is a RabbitMQ quorum
    /// queue (<paramref name="quorum"/>), <c>exchange:{queueName}</c>, the exchange its consumer binds to it.
    /// </summary>
    /// <remarks>
    /// Sending to <c>queue:name</c> declares the queue first (so that nothing sent before its consumer starts is lost), as a classic queue;
    /// RabbitMQ 3.x refuses that for an existing quorum queue (406 PRECONDITION_FAILED, "inequivalent arg 'x-queue-type'"), and MassTransit's
    /// send addresses cannot name a queue type. Senders to the queues of a cluster whose nodes and workers run
    /// <c>Transport:RabbitMq:QueueType=Quorum</c> therefore send to the queue's exchange, which the consumer declared and bound when it first
    /// started: a message sent to a queue whose consumer never started is dropped by the broker.
    /// </remarks>
    public static Uri Address(string queueName, bool quorum) => quorum ? new($"exchange:{queueName}") : Address(queueName);

    private string Name(string queue) => $"{ClusterName}-{queue}";

#if NET7_0_OR_GREATER
    [GeneratedRegex(ClusterNamePattern)]
    private static partial Regex ClusterNameRegex();
#else
    private static readonly Regex ClusterNameMatcher = new(ClusterNamePattern, RegexOptions.CultureInvariant);

    private static Regex ClusterNameRegex() => ClusterNameMatcher;
#endif
}
