using System.Globalization;
using Quartz;

namespace Scheduler.Benchmarks.Systems;

/// <summary>Quartz's no-op job: records its start; run and index come from the job's name, "{run}/{index}".</summary>
public sealed class QuartzNoOpJob : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var name = context.JobDetail.Key.Name;
        var slash = name.LastIndexOf('/');
        RunRecorder.Record(name[..Math.Max(slash, 0)], int.TryParse(name.AsSpan(slash + 1), CultureInfo.InvariantCulture, out var i) ? i : -1);
        return ValueTask.CompletedTask;
    }
}
