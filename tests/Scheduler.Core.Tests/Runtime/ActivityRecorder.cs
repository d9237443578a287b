using System.Collections.Concurrent;
using System.Diagnostics;

namespace Scheduler.Core.Tests.Runtime;

/// <summary>Samples and records every activity of the named sources (all of them: filter by trace, node or task, as tests run in parallel).</summary>
internal sealed class ActivityRecorder : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _stopped = new();

    public ActivityRecorder(params string[] sources)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => sources.Contains(source.Name),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The stopped activities named <paramref name="name"/> whose tag <paramref name="key"/> is <paramref name="value"/>.</summary>
    public IReadOnlyList<Activity> Stopped(string name, string key, object value) =>
        _stopped.Where(a => a.OperationName == name && Equals(a.GetTagItem(key), value)).ToList();

    public void Dispose() => _listener.Dispose();
}
