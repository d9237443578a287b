using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Scheduler.Core.Runtime;

/// <summary>
/// The delay a task's jitter window (<see cref="Contracts.ScheduleTask.Jitter"/>) adds to one of its occurrences: drawn from (task id, fire
/// time), so every node, and every planning of the same occurrence again (a pause, an update), gives it the same delay.
/// </summary>
internal static class OccurrenceJitter
{
    /// <summary>
    /// The delay of the occurrence of task <paramref name="taskId"/> at <paramref name="fireTime"/>: whole milliseconds, uniform in [0, cap),
    /// where cap is <paramref name="window"/> or, when shorter, the time to <paramref name="nextFireTime"/> (so occurrences keep their order).
    /// Zero when there is no window or the cap is under a millisecond.
    /// </summary>
    /// <param name="taskId">The task definition's id.</param>
    /// <param name="fireTime">The occurrence's nominal fire time (UTC).</param>
    /// <param name="window">The task's jitter window; <see langword="null"/> for none.</param>
    /// <param name="nextFireTime">The task's next nominal fire time after <paramref name="fireTime"/>, if any.</param>
    public static TimeSpan Delay(Guid taskId, DateTimeOffset fireTime, TimeSpan? window, DateTimeOffset? nextFireTime)
    {
        if (window is not { } w || w <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        var cap = nextFireTime is { } next && next - fireTime < w ? next - fireTime : w;
        var capMs = (long)Math.Floor(cap.TotalMilliseconds);
        if (capMs <= 0)
        {
            return TimeSpan.Zero;
        }

        // SHA-256 of (id, fire time in UTC ticks): a well-mixed draw that is the same on every platform and runtime.
        Span<byte> input = stackalloc byte[24];
        taskId.TryWriteBytes(input[..16], bigEndian: true, out _);
        BinaryPrimitives.WriteInt64BigEndian(input[16..], fireTime.UtcTicks);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(input, hash);
        var draw = BinaryPrimitives.ReadUInt64BigEndian(hash);
        return TimeSpan.FromMilliseconds((long)(draw % (ulong)capMs));
    }
}
