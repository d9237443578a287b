using System.Globalization;
using System.Text.RegularExpressions;

namespace Scheduler.FaultTests.Records;

/// <summary>
/// One <c>TaskDue</c> a sample Worker received, as it printed it: <c>[name] task &lt;TaskId&gt; instance &lt;InstanceId&gt; attempt n/max
/// due HH:mm:ss.fffZ lateness x ms meta ...</c>. The worker computes the lateness from its clock at receipt and the message's full-precision
/// <c>DueAt</c>, so <see cref="ReceivedAt"/> is exact to the millisecond the due time is printed with. Its <c>done … in x ms</c> line, printed
/// when the handler returns, gives <see cref="DoneAt"/>.
/// </summary>
internal sealed partial record WorkerDelivery(string Worker, Guid TaskId, Guid InstanceId, int Attempt, int MaxAttempts, DateTimeOffset DueAt, double LatenessMs)
{
    /// <summary>Whether the broker marked it redelivered: it had delivered it before and not had it acknowledged (the consumer died, or its
    /// channel closed).</summary>
    public bool Redelivered { get; init; }

    /// <summary>When the worker's handler received it (due time plus lateness).</summary>
    public DateTimeOffset ReceivedAt => DueAt.AddMilliseconds(LatenessMs);

    /// <summary>When its handler returned, from the worker's <c>done</c> line (received plus the time it took); <see langword="null"/> while it
    /// runs, or if the worker died first.</summary>
    public DateTimeOffset? DoneAt { get; init; }

    /// <summary>
    /// The deliveries among <paramref name="lines"/>; <paramref name="reference"/> (an instant near the run) gives the printed time of day its
    /// date, the one that puts it closest to the reference.
    /// </summary>
    public static IEnumerable<WorkerDelivery> Parse(IEnumerable<string> lines, DateTimeOffset reference)
    {
        var received = new List<WorkerDelivery>();
        var done = new Dictionary<(Guid, int), Queue<double>>();
        foreach (var line in lines)
        {
            if (Done().Match(line) is { Success: true } finished)
            {
                var key = (Guid.Parse(finished.Groups["instance"].Value), int.Parse(finished.Groups["attempt"].Value, CultureInfo.InvariantCulture));
                if (!done.TryGetValue(key, out var durations))
                {
                    done[key] = durations = new Queue<double>();
                }

                durations.Enqueue(double.Parse(finished.Groups["ms"].Value, CultureInfo.InvariantCulture));
                continue;
            }

            var match = Line().Match(line);
            if (!match.Success)
            {
                continue;
            }

            var timeOfDay = TimeSpan.ParseExact(match.Groups["due"].Value, @"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture);
            var due = new DateTimeOffset(reference.UtcDateTime.Date, TimeSpan.Zero) + timeOfDay;
            due = new[] { due.AddDays(-1), due, due.AddDays(1) }.MinBy(d => (d - reference).Duration());
            received.Add(new WorkerDelivery(match.Groups["worker"].Value, Guid.Parse(match.Groups["task"].Value), Guid.Parse(match.Groups["instance"].Value),
                int.Parse(match.Groups["attempt"].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups["max"].Value, CultureInfo.InvariantCulture),
                due, double.Parse(match.Groups["lateness"].Value, CultureInfo.InvariantCulture))
            {
                Redelivered = match.Groups["redelivered"].Success,
            });
        }

        // A worker's lines come in order: the n-th done line of an (instance, attempt) ends its n-th receipt.
        foreach (var delivery in received)
        {
            yield return done.TryGetValue((delivery.InstanceId, delivery.Attempt), out var durations) && durations.TryDequeue(out var ms)
                ? delivery with { DoneAt = delivery.ReceivedAt.AddMilliseconds(ms) }
                : delivery;
        }
    }

    [GeneratedRegex(@"^\[(?<worker>[^\]]+)\] task (?<task>[0-9a-f-]{36}) instance (?<instance>[0-9a-f-]{36}) attempt (?<attempt>\d+)/(?<max>\d+) due (?<due>\d\d:\d\d:\d\d\.\d{3})Z lateness (?<lateness>-?\d+(\.\d+)?) ms (?<redelivered>redelivered )?meta ")]
    private static partial Regex Line();

    [GeneratedRegex(@"^\[(?<worker>[^\]]+)\] done task [0-9a-f-]{36} instance (?<instance>[0-9a-f-]{36}) attempt (?<attempt>\d+) in (?<ms>\d+(\.\d+)?) ms")]
    private static partial Regex Done();
}
