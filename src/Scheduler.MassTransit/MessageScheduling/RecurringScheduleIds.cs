using System.Security.Cryptography;
using System.Text;

namespace Scheduler.MassTransit.MessageScheduling;

/// <summary>
/// The task id of a MassTransit recurring schedule: a name-based UUID (version 5, RFC 9562) of its <c>ScheduleGroup</c> and <c>ScheduleId</c>,
/// so that every node finds the same task for the same schedule, and scheduling, pausing, resuming or cancelling it needs no look-up.
/// </summary>
internal static class RecurringScheduleIds
{
    /// <summary>The namespace of these names (a fixed random UUID).</summary>
    private static readonly byte[] Namespace = Guid.Parse("5e0b8d4c-2b1f-4a62-9a34-8f6a1c7d2e90").ToByteArray(bigEndian: true);

    /// <summary>The task id of schedule <paramref name="scheduleId"/> in group <paramref name="scheduleGroup"/>.</summary>
    public static Guid For(string? scheduleGroup, string? scheduleId)
    {
        // The group's length first, so that no two (group, id) pairs spell the same name.
        var name = Encoding.UTF8.GetBytes($"{scheduleGroup?.Length ?? -1}:{scheduleGroup}/{scheduleId}");
#pragma warning disable CA5350 // SHA-1 is what RFC 9562 prescribes for version 5 UUIDs; nothing secret depends on it
        var hash = SHA1.HashData([.. Namespace, .. name]);
#pragma warning restore CA5350
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
