namespace Scheduler.Contracts;

/// <summary>
/// How often and how soon a task instance is dispatched again after its handler failed (<see cref="TaskFailed"/>)
/// or did not complete within <see cref="ScheduleTask.ExpireAfter"/>.
/// </summary>
/// <remarks>
/// The delay before attempt <c>n + 1</c> is <c>min(InitialBackoff × BackoffMultiplier^(n-1), MaxBackoff)</c>; with
/// <see cref="Jitter"/> a uniformly random share of up to 20 % of it is added, so that failed instances of many tasks do not retry in step.
/// A run that exceeded <see cref="ScheduleTask.ExpireAfter"/> is dispatched again at once, without backoff.
/// </remarks>
public sealed record RetryPolicy
{
    /// <summary>Total number of dispatches of one task instance, the first included. <value>Default 3; 1 to 100.</value></summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>Delay before the second attempt. <value>Default 1 second; at least 0.</value></summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Upper bound of any delay between attempts. <value>Default 5 minutes; at least <see cref="InitialBackoff"/>.</value></summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Factor applied to the delay after each failed attempt. <value>Default 2; 1 to 10.</value></summary>
    public double BackoffMultiplier { get; init; } = 2;

    /// <summary>Whether a random share (up to 20 %) is added to each delay. <value>Default <see langword="true"/>.</value></summary>
    public bool Jitter { get; init; } = true;

    /// <summary>The policy used when a <see cref="ScheduleTask"/> names none: 3 attempts, 1 s doubling up to 5 min, with jitter.</summary>
    public static RetryPolicy Default { get; } = new();

    /// <summary>A single attempt: no retry.</summary>
    public static RetryPolicy None { get; } = new() { MaxAttempts = 1 };
}
