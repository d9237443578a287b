using System.ComponentModel.DataAnnotations;

namespace Scheduler.Core.Runtime;

/// <summary>Settings of a scheduler node's three loops. Validated at start.</summary>
public sealed class SchedulerOptions
{
    /// <summary>The configuration section these options bind to: <c>Scheduler</c>.</summary>
    public const string SectionName = "Scheduler";

    /// <summary>
    /// This node's id, written as the lease owner of its claims. Give a node a fixed id to have it take back, when it starts again, the claims
    /// its killed process left (at once, rather than after their lease); one process at a time runs under an id: a second one started while the
    /// first is live refuses to start (<see cref="NodeIdInUseException"/>). <value>Default: host name plus a random suffix, new per process.</value>
    /// </summary>
    [Required]
    [StringLength(128, MinimumLength = 1)]
    public string NodeId { get; set; } = $"{Environment.MachineName}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>
    /// The name of the cluster this node belongs to: the prefix of every queue and exchange the node owns (<c>{ClusterName}-schedule-task</c>,
    /// …) and the name recorded in its database at first start. Nodes of one application share one; two applications on one broker virtual
    /// host each give their own, so neither consumes the other's commands. A node whose database was started under another cluster name
    /// refuses to start. Lower-case letters, digits and <c>-</c>, starting with a letter, at most 64 characters.
    /// The queue names are <see cref="Contracts.SchedulerEndpoints"/>'s.
    /// <value>Default <c>scheduler</c> (<see cref="Contracts.SchedulerEndpoints.DefaultClusterName"/>).</value>
    /// </summary>
    [Required]
    [RegularExpression(Contracts.SchedulerEndpoints.ClusterNamePattern,
        ErrorMessage = "Use lower-case letters, digits and '-', starting with a letter, at most 64 characters, e.g. 'billing'.")]
    public string ClusterName { get; set; } = Contracts.SchedulerEndpoints.DefaultClusterName;

    /// <summary>
    /// The queue to which this node sends the <c>TaskDue</c> of a task scheduled with neither <c>ScheduleTask.DestinationQueue</c> nor
    /// <c>ScheduleTask.Broadcast</c> (the name is stored with the task, so a later change of this setting leaves stored tasks alone).
    /// Give every node of a cluster the same value. <value>Default: none; such a command is rejected with a reason naming both fields.</value>
    /// </summary>
    /// <remarks>For an application with one worker queue; an application with several names the queue in each command.</remarks>
    public string? DefaultDestinationQueue { get; set; }

    /// <summary>
    /// The execution window (the seed's term): each tick the scheduler loop materializes, and the runner loop claims and holds in memory,
    /// what is due within this span from now. Larger windows mean fewer queries and more memory. <value>Default 10 seconds; 1 second to 1 hour.</value>
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ExecutionWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the scheduler and runner loops query the store when nothing wakes them sooner.
    /// <value>Default 1 second; 10 milliseconds to 1 hour, and at most <see cref="ExecutionWindow"/>.</value></summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long past an instance's due time a runner's claim lasts; a node that dies holding claims delays those instances by at most this.
    /// <value>Default 30 seconds; 1 second to 1 hour.</value></summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a run of this node counts as live after its last sign of life in the database (recorded every third of it). A node that starts
    /// under a <see cref="NodeId"/> whose earlier run was seen within it waits until it lapses (a killed process) or refuses to start (a live
    /// one); a node that cannot record a sign of life for this long claims and dispatches nothing until it can, and never sends past it. So a
    /// killed node restarted under its id has its claims dispatched again at most this long after the kill, instead of the lease.
    /// <value>Default 10 seconds; 1 second to 10 minutes.</value>
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan NodeLivenessTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Fire times older than this when materialized are misfires, handled per the task's misfire policy. <value>Default 1 minute.</value></summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Most instances claimed per query. <value>Default 1000; 1 to 100,000.</value></summary>
    [Range(1, 100_000)]
    public int ClaimBatchSize { get; set; } = 1000;

    /// <summary>
    /// Most claims a node holds at once (waiting for their due time or being dispatched). When it holds this many it claims no more until its
    /// dispatches catch up, so a burst of due instances is spread over the nodes that have room, memory stays bounded, and a node never holds
    /// more than it can renew. <value>Default 5000; 1 to 1,000,000.</value>
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxHeld { get; set; } = 5000;

    /// <summary>Most definitions materialized per transaction. <value>Default 500; 1 to 100,000.</value></summary>
    [Range(1, 100_000)]
    public int MaterializeBatchSize { get; set; } = 500;

    /// <summary>Most instances created for one definition per tick (the rest follow on later ticks, so none is lost).
    /// <value>Default 1000; 1 to 100,000.</value></summary>
    [Range(1, 100_000)]
    public int MaxOccurrencesPerTick { get; set; } = 1000;

    /// <summary>
    /// Most <c>ScheduleTask</c> commands a node stores together, in one transaction, when they arrive together; each still gets its own reply.
    /// <value>Default 100; 1 to 1,000.</value>
    /// </summary>
    /// <remarks>The node takes up to twice this many commands from the queue at once (two batches are stored concurrently).</remarks>
    [Range(1, 1000)]
    public int IntakeBatchSize { get; set; } = 100;

    /// <summary>
    /// How long the first <c>ScheduleTask</c> command of a batch waits for others before the batch is stored anyway: the most a lone
    /// command's reply is delayed by batching. <value>Default 5 milliseconds; 1 millisecond to 1 second.</value>
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:01")]
    public TimeSpan IntakeBatchTimeLimit { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Most dispatches (publishes or sends of <c>TaskDue</c>) in flight at once. <value>Default 256; 1 to 10,000.</value></summary>
    [Range(1, 10_000)]
    public int MaxConcurrentDispatches { get; set; } = 256;

    /// <summary>
    /// Longest a single publish or send of <c>TaskDue</c> may take before the runner gives up on it and releases its claim (it is never longer
    /// than the claim can be kept: a send still under way when its lease, as the runner's renewals extend it, is down to a sixth of
    /// <see cref="LeaseDuration"/>, or when the node's run is no longer known to be live, is given up too). A hung broker connection then costs
    /// this much, not the lease.
    /// <value>Default 10 seconds; 100 milliseconds to 10 minutes.</value>
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a <c>TaskDue</c> may wait in its destination queue before a worker's handler starts it: its time to live there, after which the
    /// broker drops it and a worker that receives it anyway acknowledges it without running it (<see cref="Contracts.TaskDue.StartBy"/>). An
    /// attempt's ExpireAfter counts from when its handler starts (the worker reports it); an attempt no worker reported started expires this plus
    /// ExpireAfter after its dispatch and is dispatched again as the next attempt (or dead-lettered after the last), so a <c>TaskDue</c> that was
    /// lost is sent again after this long. Choose it longer than the backlog a destination's workers may fall behind by:
    /// a copy still waiting when it runs out is never run twice, but the attempt is used up.
    /// <value>Default 10 minutes; 1 second to 7 days.</value>
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long a destination queue may have no consumer before the node reports it (a Warning, the gauge
    /// <c>scheduler.destinations.without_consumer</c>, the admin API and the dashboard) and holds its tasks back — they wait, using no attempt,
    /// until a consumer is there — instead of sending them into a queue nobody reads. Checked every third of it, on RabbitMQ (a passive declare);
    /// zero turns the watch off. <value>Default 30 seconds; 0 or 3 seconds to 1 hour.</value>
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan DestinationGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// When sends to the broker keep failing or timing out (half of them, at least three, within 30 seconds), the runner stops claiming, releases
    /// the claims it holds so nodes that can still send take them, and reports not ready; every this long it probes the broker
    /// (<see cref="ITaskDispatcher.ProbeAsync"/>), and claims again as usual once a probe succeeds (a circuit breaker: Polly's). <value>Default 5 seconds; 500 milliseconds to
    /// 10 minutes.</value>
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "00:10:00")]
    public TimeSpan SendRetryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How far this node's clock may be from the database's before the node refuses to dispatch (it corrects for any offset it measures; an
    /// offset this large means the host's time service is broken). <value>Default 1 minute; 100 milliseconds to 1 day.</value>
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan MaxClockOffset { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the node measures its clock's offset from the database's. <value>Default 1 minute; 1 second to 1 day.</value></summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ClockCheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the cleanup loop runs. <value>Default 1 minute.</value></summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long finished instances (and finished definitions) are kept before the cleanup loop deletes them. <value>Default 1 day.</value></summary>
    [Range(typeof(TimeSpan), "00:00:00", "3650.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Most rows of each kind the cleanup loop deletes per run. <value>Default 5000; 1 to 1,000,000.</value></summary>
    [Range(1, 1_000_000)]
    public int CleanupBatchSize { get; set; } = 5000;
}
