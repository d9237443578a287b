using System.Globalization;
using System.Text.Json;
using MassTransit;
using MassTransit.Context;
using MassTransit.Serialization;
using Scheduler.Core.Definitions;

namespace Scheduler.MassTransit.MessageScheduling;

/// <summary>
/// What a node stores, as the task's payload (JSON), of a message scheduled through MassTransit's message scheduler: the message as the
/// scheduling service's serializer wrote it, its content type and message types, its destination, and the sender's headers and ids, so
/// that delivery sends the message as it was given, whatever its type (the node needs no reference to it).
/// </summary>
internal sealed record ScheduledMessageEnvelope
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The destination address, e.g. <c>queue:billing</c> or <c>rabbitmq://host/vhost/billing</c>.</summary>
    public required string Destination { get; init; }

    /// <summary>The content type of <see cref="Body"/>, e.g. <c>application/vnd.masstransit+json</c>.</summary>
    public required string ContentType { get; init; }

    /// <summary>The serialized message (the envelope of MassTransit's envelope serializers), as text.</summary>
    public required string Body { get; init; }

    /// <summary>The message's type URNs, e.g. <c>urn:message:Billing:InvoiceDue</c>.</summary>
    public required IReadOnlyList<string> MessageTypes { get; init; }

    /// <summary>The message id every delivery of a one-off message carries (its ScheduleMessage's, as MassTransit's Quartz integration does);
    /// <see langword="null"/> for a recurring message, whose deliveries carry their task instance's id.</summary>
    public Guid? MessageId { get; init; }

    public Guid? CorrelationId { get; init; }

    public Guid? ConversationId { get; init; }

    public Guid? InitiatorId { get; init; }

    public Guid? RequestId { get; init; }

    public string? SourceAddress { get; init; }

    public string? ResponseAddress { get; init; }

    public string? FaultAddress { get; init; }

    /// <summary>The message's expiration time (UTC), one-off messages only.</summary>
    public DateTime? ExpirationTime { get; init; }

    /// <summary>The headers the sender set, by name.</summary>
    public IReadOnlyDictionary<string, JsonElement>? Headers { get; init; }

    /// <summary>The scheduling token id (the command's <c>CorrelationId</c>: <c>ScheduledMessage.TokenId</c> of a one-off message, the
    /// <c>ScheduleRecurringMessage</c>'s of a recurring one), sent with every delivery as <c>MT-Scheduling-TokenId</c>, as MassTransit's Quartz
    /// integration does; <see langword="null"/> for what an earlier version stored.</summary>
    public Guid? TokenId { get; init; }

    /// <summary>When the scheduling command was sent (its <c>SentTime</c>, the sender's clock): a command for the same token sent earlier than
    /// the stored one (a redelivery, or one overtaken by a newer replacement) replaces nothing.</summary>
    public DateTime? SentTime { get; init; }

    /// <summary>A recurring schedule's cron (Cronos, 6 fields), zone, start, end, id and group, from which each delivery's
    /// <c>MT-Quartz-NextScheduled</c> and <c>MT-Quartz-PreviousSent</c> are computed; <see langword="null"/> for a one-off message.</summary>
    public RecurringScheduleInfo? Recurring { get; init; }

    /// <summary>A recurring schedule's end as an earlier version stored it (RecurringSchedule.EndTime): occurrences after it are not delivered,
    /// and the first one after it cancels the task. Schedules stored now carry it as the task's EndAt, and the planner ends them.</summary>
    public DateTimeOffset? EndTime { get; init; }

    /// <summary>Serializes the envelope as the task's payload.</summary>
    /// <exception cref="TaskValidationException">The envelope is larger than a task's payload may be.</exception>
    public string ToPayload()
    {
        var payload = JsonSerializer.Serialize(this, Json);
        if (payload.Length > TaskDefinitionFactory.MaxPayloadLength)
        {
            var size = payload.Length.ToString("N0", CultureInfo.InvariantCulture);
            var limit = TaskDefinitionFactory.MaxPayloadLength.ToString("N0", CultureInfo.InvariantCulture);
            throw new TaskValidationException(
                $"The scheduled message for '{Destination}' ({string.Join(", ", MessageTypes)}) takes {size} characters stored, over the " +
                $"limit of {limit} (256 KiB) for the message, its headers and addresses together. Schedule a smaller message, e.g. one that " +
                "refers to the data (MassTransit's MessageData) rather than carries it.");
        }

        return payload;
    }

    /// <summary>Reads an envelope stored by <see cref="ToPayload"/>.</summary>
    /// <exception cref="InvalidOperationException">The payload is not such an envelope.</exception>
    public static ScheduledMessageEnvelope FromPayload(string? payload)
    {
        try
        {
            return (payload is null ? null : JsonSerializer.Deserialize<ScheduledMessageEnvelope>(payload, Json))
                ?? throw new InvalidOperationException("The task has no payload.");
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"The task's payload is not a scheduled message: {ex.Message}", ex);
        }
    }

    /// <summary>Captures the message of a MassTransit scheduling command as its serializer wrote it, with the headers and ids of the command
    /// (the scheduling service's send pipe set them there, see MassTransit's <c>ScheduleMessageContextPipe</c>).</summary>
    /// <exception cref="TaskValidationException">The destination or the message is missing.</exception>
    public static ScheduledMessageEnvelope Capture<T>(ConsumeContext<T> context, Uri? destination, object? payload, string[]? payloadTypes,
        bool oneOff, DateTimeOffset? endTime, Guid? tokenId = null, RecurringScheduleInfo? recurring = null)
        where T : class
    {
        if (destination is null)
        {
            throw new TaskValidationException(
                $"{typeof(T).Name} has no Destination. Schedule with an endpoint address, e.g. ScheduleSend(new Uri(\"queue:billing\"), time, message).");
        }

        if (payload is null || payloadTypes is not { Length: > 0 })
        {
            throw new TaskValidationException(
                $"{typeof(T).Name} for '{destination}' has no Payload or PayloadType. Schedule a message object through MassTransit's ScheduleSend.");
        }

        // As MassTransit's Quartz and Hangfire integrations capture it: the payload serialized by the command's own serializer context.
        var body = context.SerializerContext.GetMessageSerializer(payload, payloadTypes)
            .GetMessageBody(new MessageSendContext<T>(context.Message));
        return new ScheduledMessageEnvelope
        {
            Destination = destination.ToString(),
            ContentType = context.ReceiveContext.ContentType?.ToString() ?? SystemTextJsonMessageSerializer.JsonContentType.ToString(),
            Body = body.GetString(),
            MessageTypes = payloadTypes,
            MessageId = oneOff ? context.MessageId : null,
            CorrelationId = context.CorrelationId,
            ConversationId = context.ConversationId,
            InitiatorId = context.InitiatorId,
            RequestId = context.RequestId,
            SourceAddress = context.SourceAddress?.ToString(),
            ResponseAddress = context.ResponseAddress?.ToString(),
            FaultAddress = context.FaultAddress?.ToString(),
            ExpirationTime = oneOff ? context.ExpirationTime : null,
            Headers = CaptureHeaders(context.Headers),
            EndTime = endTime,
            TokenId = tokenId,
            SentTime = context.SentTime,
            Recurring = recurring,
        };
    }

    private static Dictionary<string, JsonElement>? CaptureHeaders(Headers headers)
    {
        var captured = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (key, value) in headers.GetAll())
        {
            if (value is not null)
            {
                captured[key] = JsonSerializer.SerializeToElement(value, value.GetType(), SystemTextJsonMessageSerializer.Options);
            }
        }

        return captured.Count == 0 ? null : captured;
    }

    /// <summary>A header value as sent again: strings, whole numbers, numbers and booleans as themselves, anything else as its JSON text.</summary>
    public static object HeaderValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number when value.TryGetInt64(out var whole) => whole,
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => value.GetRawText(),
    };
}
