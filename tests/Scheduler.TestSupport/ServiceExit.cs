namespace Scheduler.TestSupport;

/// <summary>How a service process ended: its exit code (<see langword="null"/> when killed at a deadline), its output lines and how long it ran.</summary>
public sealed record ServiceExit(int? ExitCode, IReadOnlyList<string> Lines, TimeSpan Elapsed)
{
    /// <summary>All output, one line per line.</summary>
    public string Output => string.Join(Environment.NewLine, Lines);
}
