using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Scheduler.Contracts;

/// <summary>
/// Command: create many task definitions with one message, stored together (one transaction per 1,000 tasks). Send it to the scheduler nodes'
/// queue, <see cref="SchedulerEndpoints.ScheduleTasks"/> of their cluster (nodes of the default cluster also take it published); the node answers with <see cref="TasksScheduled"/> (one result per task, in order) or, when the list is empty or longer
/// than <see cref="MaxTasks"/>, with <see cref="TasksRejected"/> (nothing stored). Answers are responses to a request client, else published.
/// </summary>
/// <remarks>
/// <para>Each task is validated and stored as one <see cref="ScheduleTask"/> would be: an invalid task is rejected on its own, with the same
/// reason, and does not keep the others from being stored.</para>
/// <para>A task without <see cref="ScheduleTask.TaskId"/> gets an id derived from this message's id and the task's zero-based index in
/// <see cref="Tasks"/>: a name-based UUID (version 5, RFC 9562 section 5.5) with the message id as namespace and the index in invariant
/// decimal digits as name (<see cref="DerivedTaskId"/>, which a client may call to know the ids in advance). A redelivered command (same
/// message id) therefore stores nothing twice; its tasks are answered with <see cref="TaskScheduled.AlreadyScheduled"/> set. Send a new
/// message (a new message id) to schedule the same tasks again.</para>
/// <para>Keep the serialized message within the broker's size limit (RabbitMQ: 128 MiB by default, 16 MiB from 4.0): 10,000 tasks with
/// small metadata make a few MiB.</para>
/// </remarks>
public sealed record ScheduleTasks
{
    /// <summary>The most tasks one command may carry: 10,000.</summary>
    public const int MaxTasks = 10_000;

    /// <summary>The tasks to schedule, 1 to <see cref="MaxTasks"/> of them.</summary>
    public required IReadOnlyList<ScheduleTask> Tasks { get; init; }

    /// <summary>
    /// The id a scheduler node gives the task at <paramref name="index"/> of a <see cref="ScheduleTasks"/> message with id
    /// <paramref name="messageId"/> when the task names no <see cref="ScheduleTask.TaskId"/>: the name-based UUID version 5 (RFC 9562
    /// section 5.5, SHA-1) of the name <paramref name="index"/> in invariant decimal digits in the namespace <paramref name="messageId"/>.
    /// </summary>
    /// <param name="messageId">The message id of the <see cref="ScheduleTasks"/> message.</param>
    /// <param name="index">The task's zero-based position in <see cref="Tasks"/>.</param>
    /// <returns>The same id for the same message id and index, on every node and in every process.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative.</exception>
    public static Guid DerivedTaskId(Guid messageId, int index)
    {
        // Written for netstandard2.0 as well: byte arrays, no spans or big-endian Guid overloads.
        if (index < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, "The index is a zero-based position in Tasks and cannot be negative.");
        }

        var name = Encoding.UTF8.GetBytes(index.ToString(CultureInfo.InvariantCulture));
        var input = new byte[16 + name.Length];
        SwapGuidByteOrder(messageId.ToByteArray()).CopyTo(input, 0);
        name.CopyTo(input, 16);
#pragma warning disable CA5350 // SHA-1 is what RFC 9562 prescribes for version 5 UUIDs; it names ids here, it protects nothing.
#if NET
        var hash = SHA1.HashData(input);
#else
        byte[] hash;
        using (var sha1 = SHA1.Create())
        {
            hash = sha1.ComputeHash(input);
        }
#endif
#pragma warning restore CA5350

        var id = new byte[16];
        Array.Copy(hash, id, 16);
        id[6] = (byte)((id[6] & 0x0F) | 0x50); // version 5
        id[8] = (byte)((id[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(SwapGuidByteOrder(id));
    }

    /// <summary>Turns <see cref="Guid.ToByteArray()"/>'s order (first three fields little-endian) into RFC 9562's big-endian order, and back.</summary>
    private static byte[] SwapGuidByteOrder(byte[] bytes)
    {
        Array.Reverse(bytes, 0, 4);
        Array.Reverse(bytes, 4, 2);
        Array.Reverse(bytes, 6, 2);
        return bytes;
    }
}
