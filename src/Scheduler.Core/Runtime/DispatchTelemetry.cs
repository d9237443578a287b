namespace Scheduler.Core.Runtime;

/// <summary>
/// What a <see cref="ITaskDispatcher"/> tells the node about one dispatch for its telemetry, in the terms of OpenTelemetry's messaging
/// semantic conventions: the dispatch span's <c>messaging.*</c> and <c>server.*</c> attributes and the tags of the <c>messaging.client.*</c>
/// metrics (<see cref="SchedulerTracing"/>, <see cref="SchedulerMetrics"/>). A value left <see langword="null"/> is left out of the span and
/// the metrics rather than guessed.
/// </summary>
public sealed record DispatchTelemetry
{
    /// <summary>The messaging system, as OpenTelemetry names it (<c>messaging.system</c>), e.g. <c>rabbitmq</c>; <see langword="null"/> when
    /// the dispatcher cannot tell.</summary>
    public string? System { get; init; }

    /// <summary>The destination the broker routes the message by (<c>messaging.destination.name</c>; for RabbitMQ the exchange), e.g. the
    /// destination queue's name; <see langword="null"/> when unknown. It names the dispatch span (<c>send orders</c>), so it must be of low
    /// cardinality: a queue or exchange name, never an id.</summary>
    public string? DestinationName { get; init; }

    /// <summary>The id the message is sent with (<c>messaging.message.id</c>); <see langword="null"/> when unknown.</summary>
    public string? MessageId { get; init; }

    /// <summary>The broker's host name or address (<c>server.address</c>); <see langword="null"/> when unknown.</summary>
    public string? ServerAddress { get; init; }

    /// <summary>The broker's port (<c>server.port</c>), 1 to 65535; <see langword="null"/> when unknown or the transport's default.</summary>
    public int? ServerPort { get; init; }
}
