using System.Text.Json;
using Scheduler.Contracts;
using Scheduler.TestSupport;

namespace Scheduler.Cli.Tests;

/// <summary>Issue #20, item 3 (destinations view): <c>scheduler destinations</c>.</summary>
public sealed partial class AdminCliTests
{
    [Fact]
    public async Task Destinations_PrintsEachQueue_WithConsumersBacklogInFlightFailuresAndLastDispatch()
    {
        await using var node = await AdminTestNode.StartAsync();
        var task = await node.Scheduling.ScheduleAsync(new ScheduleTask { Trigger = "2099-01-01T00:00:00Z", DestinationQueue = "mail" });
        var now = TimeProvider.System.GetUtcNow();
        // In flight (the node's runner leaves a Dispatched instance alone until it expires) and a dead letter: counts that hold still.
        var running = new Scheduler.Core.Definitions.TaskInstance
        {
            Id = Guid.CreateVersion7(), DefinitionId = task.TaskId, FireTime = now.AddMinutes(-1), Status = TaskInstanceState.Dispatched, Attempt = 1,
            DueAt = now.AddHours(1), DispatchedAt = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero), ExpireAfter = TimeSpan.FromHours(1), Retry = RetryPolicy.None,
        };
        Assert.True((await node.Store.AddInstanceAsync(running)).Added);
        await node.AddDeadLetterAsync(task.TaskId, now.AddHours(-1), "System.Exception: boom");

        var table = await RunAsync(node, "destinations");
        var json = await RunAsync(node, "destinations", "--json");

        Assert.Equal((0, ""), (table.ExitCode, table.Error));
        Assert.Equal(["QUEUE", "CONSUMERS", "BACKLOG", "IN", "FLIGHT", "FAILED", "24H", "LAST", "DISPATCH", "(UTC)"],
            table.Output[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["mail", "not", "watched", "0", "1", "1", "2030-01-02T03:04:05Z"], Assert.Single(table.Output, l => l.StartsWith("mail ", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var mail = JsonDocument.Parse(string.Join('\n', json.Output)).RootElement.EnumerateArray().Single(d => d.GetProperty("queue").GetString() == "mail");
        Assert.Equal((1, 1), (mail.GetProperty("inFlight").GetInt32(), mail.GetProperty("failuresLast24Hours").GetInt32()));
    }
}
