using MassTransit;
using Scheduler.Contracts;

namespace Scheduler.Benchmarks.Systems;

/// <summary>The worker's handler: records its start (run and index come from the task's metadata; a recurring task's firing by its due
/// instant) and returns.</summary>
internal sealed class NoOpConsumer : IConsumer<TaskDue>
{
    public const string RunKey = "run";
    public const string IndexKey = "i";

    public Task Consume(ConsumeContext<TaskDue> context)
    {
        var metadata = context.Message.Metadata;
        var run = metadata.GetValueOrDefault(RunKey);
        var index = int.TryParse(metadata.GetValueOrDefault(IndexKey), System.Globalization.CultureInfo.InvariantCulture, out var i) ? i : -1;
        if (!RecurringRecorder.TryRecord(run, index, context.Message.DueAt))
        {
            RunRecorder.Record(run, index);
        }

        return Task.CompletedTask;
    }
}
