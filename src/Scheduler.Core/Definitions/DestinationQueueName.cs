namespace Scheduler.Core.Definitions;

/// <summary>
/// The rules a task's <see cref="Contracts.ScheduleTask.DestinationQueue"/> must follow, checked when the task is scheduled and again before
/// each dispatch (a row stored by an earlier version, or written by hand, is refused there instead of sent).
/// </summary>
/// <remarks>
/// RabbitMQ's rules: a name of at most 255 bytes of UTF-8, not starting with <c>amq.</c> (reserved for the broker; declaring one is refused
/// with 403 ACCESS_REFUSED, which closes the channel). MassTransit's RabbitMQ transport further accepts only letters, digits and
/// <c>- _ . :</c> in entity names, and the name becomes part of a <c>queue:</c> address, where <c>/</c> would name a virtual host.
/// </remarks>
public static class DestinationQueueName
{
    /// <summary>The longest name, in UTF-8 bytes: 255 (an AMQP short string).</summary>
    public const int MaxBytes = 255;

    /// <summary>The prefix RabbitMQ reserves for its own queues and exchanges: <c>amq.</c>.</summary>
    public const string ReservedPrefix = "amq.";

    /// <summary>Checks <paramref name="queue"/>.</summary>
    /// <param name="queue">The queue name, or <see langword="null"/> for none (a task stored without one is published to every subscriber).</param>
    /// <returns><see langword="null"/> when the name is valid (or absent); otherwise why not and how to fix it, naming the value.</returns>
    public static string? Validate(string? queue)
    {
        if (queue is null)
        {
            return null;
        }

        const string Example = "Use letters, digits and - _ . : only, e.g. 'billing-reminders'.";
        if (queue.Length == 0)
        {
            return "DestinationQueue is empty. Give a queue name, e.g. 'billing-reminders', or leave it out and set Broadcast to publish to every subscriber.";
        }

        var shown = Show(queue);
        if (System.Text.Encoding.UTF8.GetByteCount(queue) > MaxBytes)
        {
            return $"DestinationQueue '{shown}' is {System.Text.Encoding.UTF8.GetByteCount(queue)} bytes long; RabbitMQ allows at most {MaxBytes}. Use a shorter name.";
        }

        if (queue.StartsWith(ReservedPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return $"DestinationQueue '{shown}' starts with '{ReservedPrefix}', a prefix RabbitMQ reserves for its own queues. Use another name, e.g. 'billing-reminders'.";
        }

        var bad = queue.FirstOrDefault(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'));
        if (bad != default)
        {
            var what = char.IsWhiteSpace(bad) ? "white space" : char.IsAscii(bad) && !char.IsControl(bad) ? $"'{bad}'" : $"U+{(int)bad:X4}";
            return $"DestinationQueue '{shown}' contains {what}, which is not allowed in a queue name. {Example}";
        }

        if (queue.All(c => c == '.'))
        {
            return $"DestinationQueue '{queue}' is only dots. {Example}";
        }

        return null;
    }

    /// <summary>The name as an error message shows it: at most 64 characters, anything but printable ASCII as <c>\uXXXX</c>.</summary>
    private static string Show(string queue)
    {
        var head = queue.Length > 64 ? queue[..64] : queue;
        var text = string.Concat(head.Select(c => char.IsAscii(c) && !char.IsControl(c) ? c.ToString() : $"\\u{(int)c:X4}"));
        return queue.Length > 64 ? text + "…" : text;
    }
}
