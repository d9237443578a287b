using Scheduler.Contracts;

namespace Scheduler.Core.Definitions;

/// <summary>Computes retry delays from a <see cref="RetryPolicy"/>.</summary>
public static class Backoff
{
    /// <summary>
    /// The delay before the attempt after <paramref name="failedAttempt"/>: <c>min(InitialBackoff × BackoffMultiplier^(failedAttempt-1), MaxBackoff)</c>,
    /// plus up to 20 % of it when <see cref="RetryPolicy.Jitter"/> is set.
    /// </summary>
    /// <param name="policy">The task's retry policy.</param>
    /// <param name="failedAttempt">The attempt that failed, 1-based.</param>
    /// <param name="random">Source of jitter, a value in [0, 1).</param>
    public static TimeSpan Delay(RetryPolicy policy, int failedAttempt, Func<double> random)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(failedAttempt, 1);
        var exponent = Math.Min(failedAttempt - 1, 64);
        var ticks = policy.InitialBackoff.Ticks * Math.Pow(policy.BackoffMultiplier, exponent);
        var capped = Math.Min(ticks, policy.MaxBackoff.Ticks);
        if (policy.Jitter)
        {
            capped += capped * 0.2 * random();
        }

        return TimeSpan.FromTicks((long)Math.Min(capped, TimeSpan.MaxValue.Ticks / 2));
    }
}
