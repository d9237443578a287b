using System.Collections.Concurrent;
using System.Globalization;
using Scheduler.Contracts;

namespace Reminders;

/// <summary>Writes the sample's lines and remembers which task id is which reminder.</summary>
public sealed class Console
{
    private readonly ConcurrentDictionary<Guid, string> _names = new();
    private readonly Lock _lock = new();
    private int _early;

    public int EarlyFires => _early;

    public void Name(Guid taskId, string name) => _names[taskId] = name;

    public string NameOf(Guid taskId) => _names.GetValueOrDefault(taskId, taskId.ToString()[..8]);

    public void Scheduled(TaskScheduled scheduled) =>
        Line($"[scheduled] {NameOf(scheduled.TaskId),-8} first fire {Format(scheduled.NextFireTime)}");

    public void Fired(string name, TaskDue due, TimeSpan lateness)
    {
        if (lateness < TimeSpan.Zero)
        {
            Interlocked.Increment(ref _early);
        }

        Line($"[fired]     {name,-8} scheduled {Format(due.DueAt)}  attempt {due.Attempt}  lateness {lateness.TotalMilliseconds,6:F1} ms");
    }

    public void Line(string text)
    {
        lock (_lock)
        {
            System.Console.WriteLine(text);
        }
    }

    private static string Format(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) ?? "never";
}
