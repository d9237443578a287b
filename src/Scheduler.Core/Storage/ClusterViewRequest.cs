namespace Scheduler.Core.Storage;

/// <summary>Request of <see cref="IAdminStore.GetClusterViewAsync"/>.</summary>
public sealed record ClusterViewRequest
{
    /// <summary>The app's current time (UTC): the backlog is what is due at or before it; the activity ends at it.</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>Where the activity starts (UTC), before <see cref="Now"/>; e.g. an hour before it.</summary>
    public required DateTimeOffset ActivitySince { get; init; }

    /// <summary>The width of one activity bucket, a whole number of seconds, at least 1 s; e.g. one minute. The last bucket may end after
    /// <see cref="Now"/> (it is partial).</summary>
    public required TimeSpan BucketSize { get; init; }

    /// <summary>How long after its last sign of life a node counts as live (<see cref="NodeStatus.Live"/>): the reading node's
    /// <c>SchedulerOptions.NodeLivenessTimeout</c>. <value>Default 10 seconds.</value></summary>
    public TimeSpan NodeLivenessTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
