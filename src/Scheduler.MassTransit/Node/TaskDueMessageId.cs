using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Scheduler.MassTransit.Node;

/// <summary>
/// The MassTransit message id of a <see cref="Contracts.TaskDue"/>: a name-based UUID (RFC 9562 version 5) of the instance id and the attempt
/// number, so every copy of one attempt — a send the node repeated after its confirmation timed out, a broker redelivery — carries the same id,
/// and an inbox that deduplicates by message id (MassTransit's transactional outbox) drops the repeat.
/// </summary>
internal static class TaskDueMessageId
{
    /// <summary>The namespace of these names (a fixed random UUID).</summary>
    private static readonly Guid Namespace = new("5b1d7c9e-3f2a-4e61-9a0b-7c44d2e8f316");

    /// <summary>The id of attempt <paramref name="attempt"/> of instance <paramref name="instanceId"/>.</summary>
    public static Guid For(Guid instanceId, int attempt)
    {
        Span<byte> name = stackalloc byte[16 + 16 + 4];
        Namespace.TryWriteBytes(name, bigEndian: true, out _);
        instanceId.TryWriteBytes(name[16..], bigEndian: true, out _);
        BinaryPrimitives.WriteInt32BigEndian(name[32..], attempt);
#pragma warning disable CA5350 // SHA-1 is what RFC 9562 names for version 5: an identifier, not a security boundary
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(name, hash);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50); // version 5
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(hash[..16], bigEndian: true);
    }
}
