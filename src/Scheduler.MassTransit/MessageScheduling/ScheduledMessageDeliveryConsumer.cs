using System.Net.Mime;
using MassTransit;
using MassTransit.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scheduler.Contracts;
using Scheduler.Core.Runtime;

namespace Scheduler.MassTransit.MessageScheduling;

/// <summary>
/// Runs the task instances of scheduled messages (<see cref="MessageSchedulerConsumer"/>), dispatched to the node's
/// <see cref="SchedulerEndpoints.ScheduledMessages"/> queue: sends the stored message to its destination as it was given (body, content type,
/// message types, headers and ids), then returns, so that the task reporting filter completes the instance. A send that fails fails the
/// attempt, which the task's retry policy retries; delivery is at-least-once, as every task's.
/// </summary>
/// <remarks>A one-off message keeps its message id on every attempt; each occurrence of a recurring message carries its task instance's id,
/// the same on every attempt, so a consumer with an inbox can drop a repeated delivery. Every delivery carries the scheduling headers of
/// MassTransit's Quartz integration (<see cref="QuartzHeaders"/>). An occurrence after the schedule's <c>EndTime</c> is
/// not delivered and cancels the task.</remarks>
internal sealed partial class ScheduledMessageDeliveryConsumer : IConsumer<TaskDue>
{
    private readonly SchedulingService _scheduling;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<ScheduledMessageDeliveryConsumer> _logger;
    private readonly SchedulerOptions _options;

    public ScheduledMessageDeliveryConsumer(SchedulingService scheduling, IOptions<SchedulerOptions> options, TimeProvider timeProvider,
        ILogger<ScheduledMessageDeliveryConsumer> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _scheduling = scheduling;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public async Task Consume(ConsumeContext<TaskDue> context)
    {
        var due = context.Message;
        var envelope = ScheduledMessageEnvelope.FromPayload(due.Payload);
        if (envelope.EndTime is { } end && due.FireTime > end)
        {
            LogEnded(due.TaskId, due.FireTime, end);
            await _scheduling.CancelAsync(due.TaskId, context.CancellationToken).ConfigureAwait(false);
            return;
        }

        // Within the node's send timeout: a forward that times out fails the attempt, which its retry policy sends again.
        var destination = new Uri(envelope.Destination);
        await BrokerCall.RunAsync(async ct =>
        {
            var endpoint = await context.GetSendEndpoint(destination).ConfigureAwait(false);
            var now = _timeProvider.GetUtcNow();
            await endpoint.Send(new SerializedMessageBody(), new ForwardPipe(envelope, envelope.MessageId ?? due.InstanceId, destination, now, QuartzHeaders.For(envelope, due, now)),
                ct).ConfigureAwait(false);
        }, _options.SendTimeout, $"accept the scheduled message for {envelope.Destination}", "Scheduler:SendTimeout", _timeProvider, context.CancellationToken)
            .ConfigureAwait(false);
        LogDelivered(due.TaskId, due.InstanceId, due.Attempt, envelope.Destination);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sent scheduled message of task {TaskId} (instance {InstanceId}, attempt {Attempt}) to {Destination}")]
    private partial void LogDelivered(Guid taskId, Guid instanceId, int attempt, string destination);

    [LoggerMessage(Level = LogLevel.Information, Message = "Recurring schedule of task {TaskId} ended at {EndTime}; occurrence {FireTime} not sent, task cancelled")]
    private partial void LogEnded(Guid taskId, DateTimeOffset fireTime, DateTimeOffset endTime);

    /// <summary>Gives the send the stored body, re-read by the serializer of its content type (which writes the ids and headers set here into
    /// its envelope), as MassTransit's scheduler integrations forward a scheduled message.</summary>
    private sealed class ForwardPipe(ScheduledMessageEnvelope envelope, Guid messageId, Uri destination, DateTimeOffset now,
        IReadOnlyList<KeyValuePair<string, object>> schedulingHeaders) : IPipe<SendContext>
    {
        public Task Send(SendContext context)
        {
            var deserializer = context.Serialization.GetMessageDeserializer(new ContentType(envelope.ContentType));
            var headers = new DictionarySendHeaders();
            foreach (var (key, value) in envelope.Headers ?? new Dictionary<string, System.Text.Json.JsonElement>())
            {
                headers.Set(key, ScheduledMessageEnvelope.HeaderValue(value));
            }

            var serializerContext = deserializer.Deserialize(deserializer.GetMessageBody(envelope.Body), headers, destination);
            context.MessageId = messageId;
            context.CorrelationId = envelope.CorrelationId;
            context.ConversationId = envelope.ConversationId;
            context.InitiatorId = envelope.InitiatorId;
            context.RequestId = envelope.RequestId;
            context.SourceAddress = Address(envelope.SourceAddress);
            context.ResponseAddress = Address(envelope.ResponseAddress);
            context.FaultAddress = Address(envelope.FaultAddress);
            if (envelope.MessageTypes.Count > 0)
            {
                context.SupportedMessageTypes = [.. envelope.MessageTypes];
            }

            if (envelope.ExpirationTime is { } expires)
            {
                context.TimeToLive = new DateTimeOffset(DateTime.SpecifyKind(expires, DateTimeKind.Utc)) - now;
            }

            foreach (var (key, value) in headers.GetAll().Concat(schedulingHeaders))
            {
                context.Headers.Set(key, value);
            }

            context.Serializer = serializerContext.GetMessageSerializer();
            return Task.CompletedTask;
        }

        public void Probe(ProbeContext context)
        {
        }

        private static Uri? Address(string? text) => string.IsNullOrEmpty(text) ? null : new Uri(text);
    }
}
