using System.Globalization;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Scheduler.Benchmarks.Systems;

/// <summary>
/// The ceiling the bus puts on any MassTransit-driven scheduler: a publisher host publishes <see cref="BenchPing"/> at each task's due instant
/// (all at once for a T workload, bounded in flight) and a consumer host handles it; no store. MassTransit defaults otherwise
/// (System.Text.Json serializer, publisher confirms on).
/// </summary>
internal sealed class BusCeilingSystem(BenchOptions options, BrokerTarget broker, WarningLog log) : IBenchSystem
{
    private IHost? _publisher;
    private IHost? _consumer;

    public string Name => "bus";

    public string Settings => string.Create(CultureInfo.InvariantCulture,
        $"MassTransit 8.5.12 on RabbitMQ, publisher and consumer each their own host and bus; `Publish` of a small record at each due instant, "
        + $"{options.InFlight} in flight; consumer queue bound to the published type, prefetch {broker.Prefetch}; serializer and publisher confirms at MassTransit's defaults.");

    public double InitialScheduleRateGuess => 1;

    public bool SchedulesAhead => false;

    public string CompletionSource => "n/a (no store)";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _consumer = await BenchHost.StartAsync("consumer", log, services => services.AddMassTransit(x =>
        {
            x.AddConsumer<BenchPingConsumer>().Endpoint(e => e.Name = "bench-bus-ceiling");
            x.UseBenchBus(broker);
        }), cancellationToken);
        _publisher = await BenchHost.StartAsync("publisher", log, services => services.AddMassTransit(x => x.UseBenchBus(broker)), cancellationToken);
    }

    public Task ResetAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Publishes each message at its due instant (waiting for it), at most <c>--in-flight</c> unconfirmed at once.</summary>
    public async Task<int> ScheduleAsync(string runId, IReadOnlyList<DateTimeOffset> dueTimes, CancellationToken cancellationToken)
    {
        var bus = (_publisher ?? throw new InvalidOperationException("Not started.")).Services.GetRequiredService<IBus>();
        var time = TimeProvider.System;
        using var inFlight = new SemaphoreSlim(options.InFlight);
        var publishes = new List<Task>(dueTimes.Count);
        for (var i = 0; i < dueTimes.Count; i++)
        {
            // Task.Delay runs on the monotonic clock and may end a few ms before the wall-clock due instant: wait again until it has passed.
            for (var wait = dueTimes[i] - time.GetUtcNow(); wait > TimeSpan.Zero; wait = dueTimes[i] - time.GetUtcNow())
            {
                await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait, time, cancellationToken);
            }

            await inFlight.WaitAsync(cancellationToken);
            publishes.Add(PublishAsync(bus, new BenchPing { RunId = runId, Index = i }, inFlight, cancellationToken));
        }

        await Task.WhenAll(publishes);
        return 0;
    }

    public Task<CompletionSnapshot?> ReadCompletionsAsync(CancellationToken cancellationToken) => Task.FromResult<CompletionSnapshot?>(null);

    public async ValueTask DisposeAsync()
    {
        await BenchHost.StopAsync(_publisher);
        await BenchHost.StopAsync(_consumer);
    }

    private static async Task PublishAsync(IBus bus, BenchPing message, SemaphoreSlim inFlight, CancellationToken cancellationToken)
    {
        try
        {
            await bus.Publish(message, cancellationToken);
        }
        finally
        {
            inFlight.Release();
        }
    }
}
