using System.CommandLine;
using System.Globalization;
using Scheduler.Core.Runtime;

namespace Scheduler.Cli.Admin;

/// <summary><c>scheduler destinations</c>: the destinations view of the admin API (GET destinations).</summary>
internal static partial class AdminCommands
{
    // Every destination queue as a table (or the API's JSON): consumers as the node's watch last saw them, backlog due now, in flight,
    // dead letters of the last 24 h and last dispatch; one without a consumer for Scheduler:DestinationGrace says its tasks wait.
    private static Command Destinations(TextWriter output, TextWriter error, Option<string> url, Option<string?> apiKey, Option<bool> json)
    {
        var destinations = new Command("destinations",
            "List every destination queue with its consumers (this node's watch; RabbitMQ only), backlog due now, instances in flight, dead letters of the last 24 h and last dispatch.")
        {
            url, apiKey, json,
        };
        destinations.SetAction((result, ct) => CallAsync(result, url, apiKey, error, async client =>
        {
            var (list, body) = await client.SendAsync<List<DestinationView>>(HttpMethod.Get, "destinations", ct).ConfigureAwait(false);
            Print(result.GetValue(json), body, output, () => TextTable.Write(output,
                ["QUEUE", "CONSUMERS", "BACKLOG", "IN FLIGHT", "FAILED 24H", "LAST DISPATCH (UTC)"],
                list.Select(d => new[]
                {
                    d.Queue,
                    d.WithoutConsumer ? $"none since {Time(d.NoConsumerSince)}; its tasks wait"
                        : d.Consumers?.ToString(CultureInfo.InvariantCulture) ?? "not watched",
                    d.Backlog.ToString(CultureInfo.InvariantCulture), d.InFlight.ToString(CultureInfo.InvariantCulture),
                    d.FailuresLast24Hours.ToString(CultureInfo.InvariantCulture), Time(d.LastDispatchAt),
                })));
        }));
        return destinations;
    }
}
