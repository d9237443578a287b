using MassTransit;
using Scheduler.Contracts;

namespace Scheduler.Benchmarks.Systems;

/// <summary>The worker's handler: records its start (run and index come from the task's metadata) and returns.</summary>
internal sealed class NoOpConsumer : IConsumer<TaskDue>
{
    public const string RunKey = "run";
    public const string IndexKey = "i";

    public Task Consume(ConsumeContext<TaskDue> context)
    {
        var metadata = context.Message.Metadata;
        RunRecorder.Record(metadata.GetValueOrDefault(RunKey),
            int.TryParse(metadata.GetValueOrDefault(IndexKey), System.Globalization.CultureInfo.InvariantCulture, out var i) ? i : -1);
        return Task.CompletedTask;
    }
}
