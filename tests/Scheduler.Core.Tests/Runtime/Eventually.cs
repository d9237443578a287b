using System.Diagnostics;

namespace Scheduler.Core.Tests.Runtime;

/// <summary>Waits for something another thread does, with a deadline generous enough for a loaded CI machine (it fails only if it never happens).</summary>
internal static class Eventually
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    public static async Task UntilAsync(Func<bool> condition, string? what = null)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < Deadline, $"Timed out after {Deadline.TotalSeconds} s waiting for {what ?? "the condition"}.");
            await Task.Delay(5);
        }
    }
}
