using System.Globalization;
using System.Text.RegularExpressions;

namespace Scheduler.FaultTests.Records;

/// <summary>
/// One <c>TaskDue</c> a sample Worker received, as it printed it: <c>[name] task &lt;TaskId&gt; instance &lt;InstanceId&gt; attempt n/max
/// due HH:mm:ss.fffZ lateness x ms meta ...</c>. The worker computes the lateness from its clock at receipt and the message's full-precision
/// <c>DueAt</c>, so <see cref="ReceivedAt"/> is exact to the millisecond the due time is printed with.
/// </summary>
internal sealed partial record WorkerDelivery(string Worker, Guid TaskId, Guid InstanceId, int Attempt, int MaxAttempts, DateTimeOffset DueAt, double LatenessMs)
{
    /// <summary>When the worker's handler received it (due time plus lateness).</summary>
    public DateTimeOffset ReceivedAt => DueAt.AddMilliseconds(LatenessMs);

    /// <summary>
    /// The deliveries among <paramref name="lines"/>; <paramref name="reference"/> (an instant near the run) gives the printed time of day its
    /// date, the one that puts it closest to the reference.
    /// </summary>
    public static IEnumerable<WorkerDelivery> Parse(IEnumerable<string> lines, DateTimeOffset reference)
    {
        foreach (var line in lines)
        {
            var match = Line().Match(line);
            if (!match.Success)
            {
                continue;
            }

            var timeOfDay = TimeSpan.ParseExact(match.Groups["due"].Value, @"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture);
            var due = new DateTimeOffset(reference.UtcDateTime.Date, TimeSpan.Zero) + timeOfDay;
            due = new[] { due.AddDays(-1), due, due.AddDays(1) }.MinBy(d => (d - reference).Duration());
            yield return new WorkerDelivery(match.Groups["worker"].Value, Guid.Parse(match.Groups["task"].Value), Guid.Parse(match.Groups["instance"].Value),
                int.Parse(match.Groups["attempt"].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups["max"].Value, CultureInfo.InvariantCulture),
                due, double.Parse(match.Groups["lateness"].Value, CultureInfo.InvariantCulture));
        }
    }

    [GeneratedRegex(@"^\[(?<worker>[^\]]+)\] task (?<task>[0-9a-f-]{36}) instance (?<instance>[0-9a-f-]{36}) attempt (?<attempt>\d+)/(?<max>\d+) due (?<due>\d\d:\d\d:\d\d\.\d{3})Z lateness (?<lateness>-?\d+(\.\d+)?) ms meta ")]
    private static partial Regex Line();
}
