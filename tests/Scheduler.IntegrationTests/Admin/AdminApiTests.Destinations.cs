using System.Text.Json.Nodes;
using Scheduler.Contracts;
using Scheduler.Core.Runtime;
using Scheduler.TestSupport;

namespace Scheduler.IntegrationTests.Admin;

/// <summary>Issue #20, item 3 (destinations view) over HTTP: every destination queue with its consumers, backlog, in flight, failures and
/// last dispatch.</summary>
public sealed partial class AdminApiTests
{
    [Fact]
    public async Task Api_ListsDestinations_WithBacklogInFlightFailuresAndLastDispatch_MergedWithTheConsumerWatch()
    {
        await using var node = await AdminTestNode.StartAsync(Keys);
        using var http = node.CreateClient(ReadKey);
        var mail = await node.Scheduling.ScheduleAsync(new ScheduleTask { Trigger = "2099-01-01T00:00:00Z", DestinationQueue = "mail" });
        var digest = await node.Scheduling.ScheduleAsync(new ScheduleTask { Trigger = "2099-01-02T00:00:00Z", DestinationQueue = "mail" });
        var now = TimeProvider.System.GetUtcNow();
        // Backlog: due, claimed by another node whose lease holds (this node's runner leaves it alone, so the count is stable).
        var claimed = new Scheduler.Core.Definitions.TaskInstance
        {
            Id = Guid.CreateVersion7(), DefinitionId = mail.TaskId, FireTime = now.AddMinutes(-1), Status = TaskInstanceState.Claimed, DueAt = now.AddMinutes(-1),
            LeaseOwner = "node-b", LeaseExpiresAt = now.AddHours(1), ExpireAfter = TimeSpan.FromHours(1), Retry = RetryPolicy.None,
        };
        Assert.True((await node.Store.AddInstanceAsync(claimed)).Added);
        await node.AddDeadLetterAsync(mail.TaskId, now.AddHours(-1), "System.Exception: boom");
        var running = await AddInstanceAsync(node, digest.TaskId, TaskInstanceState.Dispatched, now.AddHours(1), new RetryPolicy()); // dispatched an hour ago

        var destinations = await ReadAsync<List<DestinationView>>(await http.GetAsync("destinations"));
        var raw = JsonNode.Parse(await http.GetStringAsync("destinations"))!.AsArray().Single(d => (string?)d!["queue"] == "mail")!;

        var shown = Assert.Single(destinations, d => d.Queue == "mail");
        Assert.Equal(new DestinationView("mail", null, null, false, null, 1, 1, 1, (await node.Store.GetInstanceAsync(running))!.DispatchedAt), shown);
        Assert.Equal(["queue", "consumers", "noConsumerSince", "withoutConsumer", "checkedAt", "backlog", "inFlight", "failuresLast24Hours", "lastDispatchAt"],
            raw.AsObject().Select(p => p.Key));
        Assert.Equal(destinations.Select(d => d.Queue).Order(StringComparer.Ordinal), destinations.Select(d => d.Queue));

        // What the node's destination watch says (RabbitMQ only) is merged in; a queue it alone knows is listed with zero counts.
        var merged = await node.Scheduling.ListDestinationsAsync(
            [new DestinationStatus("idle", 2, null, false, now), new DestinationStatus("mail", 0, now.AddMinutes(-2), true, now)]);
        Assert.Equal(new DestinationView("idle", 2, null, false, now, 0, 0, 0, null), Assert.Single(merged, d => d.Queue == "idle"));
        Assert.Equal((0, now.AddMinutes(-2), true, 1, 1), Assert.Single(merged, d => d.Queue == "mail") is var m
            ? (m.Consumers, m.NoConsumerSince, m.WithoutConsumer, m.Backlog, m.InFlight) : default);
    }
}
