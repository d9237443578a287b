using MassTransit;

namespace Scheduler.Benchmarks.Systems;

/// <summary>The bus ceiling's no-op handler: records its start.</summary>
internal sealed class BenchPingConsumer : IConsumer<BenchPing>
{
    public Task Consume(ConsumeContext<BenchPing> context)
    {
        RunRecorder.Record(context.Message.RunId, context.Message.Index);
        return Task.CompletedTask;
    }
}
