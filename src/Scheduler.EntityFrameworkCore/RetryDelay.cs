namespace Scheduler.EntityFrameworkCore;

internal static class RetryDelay
{
    /// <summary>5 ms doubling per failure, capped at <paramref name="max"/>, with ±50 % jitter so retrying nodes do not collide again.</summary>
    public static TimeSpan Next(int failures, TimeSpan max)
    {
        var delay = Math.Min(5 * Math.Pow(2, Math.Min(failures - 1, 16)), max.TotalMilliseconds);
#pragma warning disable CA5394 // Jitter needs no cryptographic randomness.
        return TimeSpan.FromMilliseconds(delay * (0.5 + Random.Shared.NextDouble()));
#pragma warning restore CA5394
    }
}
