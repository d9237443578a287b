using System.Globalization;
using System.Text.RegularExpressions;

namespace Scheduler.FaultTests.Records;

/// <summary>
/// One log entry a node or a worker wrote (Microsoft's console logger with a UTC timestamp: <c>2026-12-07T06:52:12.315Z warn: Category[id]</c>,
/// its message on the same line (single-line format) or the next one), at Warning or above.
/// </summary>
internal sealed partial record LogEntry(string Process, DateTimeOffset At, string Level, string Category, string Message)
{
    /// <summary>The entries at Warning, Error or Critical in <paramref name="lines"/>.</summary>
    public static IEnumerable<LogEntry> WarningsIn(string process, IReadOnlyList<string> lines)
    {
        for (var n = 0; n < lines.Count; n++)
        {
            var match = Header().Match(lines[n]);
            if (!match.Success)
            {
                continue;
            }

            var message = match.Groups["message"].Value;
            if (message.Length == 0 && n + 1 < lines.Count)
            {
                message = lines[n + 1].Trim();
            }

            yield return new LogEntry(process, DateTimeOffset.Parse(match.Groups["at"].Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                match.Groups["level"].Value, match.Groups["category"].Value, message);
        }
    }

    public override string ToString() => $"{Process} {At:HH:mm:ss.fff} {Level}: {Category}: {Message}";

    [GeneratedRegex(@"^(?<at>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (?<level>warn|fail|crit): (?<category>[^\[\s]+)\[\d+\]\s?(?<message>.*)$")]
    private static partial Regex Header();
}
