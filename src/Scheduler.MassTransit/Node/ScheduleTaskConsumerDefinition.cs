using MassTransit;
using Microsoft.Extensions.Options;
using Scheduler.Core.Runtime;

namespace Scheduler.MassTransit.Node;

/// <summary>
/// Endpoint settings of <see cref="ScheduleTaskConsumer"/>: batches of <see cref="SchedulerOptions.IntakeBatchSize"/> commands or
/// <see cref="SchedulerOptions.IntakeBatchTimeLimit"/>, two batches at once; transient store errors are retried (the whole batch) before
/// the commands go to the error queue.
/// </summary>
public sealed class ScheduleTaskConsumerDefinition : ConsumerDefinition<ScheduleTaskConsumer>
{
    /// <summary>Batches stored at once: one is being written while the next fills, which keeps a 2-core node's database busy.</summary>
    private const int ConcurrentBatches = 2;

    private readonly SchedulerOptions _options;

    /// <summary>Creates the definition.</summary>
    public ScheduleTaskConsumerDefinition(IOptions<SchedulerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        Endpoint(e => NodeEndpoint.Command(e, _options, q => q.ScheduleTask));
    }

    /// <inheritdoc />
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<ScheduleTaskConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);
        ArgumentNullException.ThrowIfNull(consumerConfigurator);
        // A batch completes early only when the broker can hand over a full batch: prefetch and concurrency cover every batch in flight.
        var capacity = _options.IntakeBatchSize * ConcurrentBatches;
        endpointConfigurator.PrefetchCount = Math.Max(endpointConfigurator.PrefetchCount, capacity);
        endpointConfigurator.ConcurrentMessageLimit = Math.Max(endpointConfigurator.ConcurrentMessageLimit ?? 0, capacity);
        consumerConfigurator.Options<BatchOptions>(o => o
            .SetMessageLimit(_options.IntakeBatchSize)
            .SetTimeLimit(_options.IntakeBatchTimeLimit)
            .SetConcurrencyLimit(ConcurrentBatches));
        // Replies go out on each command's own context after the store committed, not through the batch's context, so no outbox is needed.
        endpointConfigurator.UseMessageRetry(r => r.Intervals(50, 200, 1000, 5000));
    }
}
