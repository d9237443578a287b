using System.Diagnostics;
using MassTransit;
using Npgsql;
using Scheduler.Contracts;
using Xunit.Abstractions;

namespace Scheduler.IntegrationTests.Bus;

/// <summary>Runs alone (after the parallel tests), so its measurements are not those of a machine busy with other tests.</summary>
[CollectionDefinition(nameof(RunsAlone), DisableParallelization = true)]
public sealed class RunsAlone;

/// <summary>
/// Issue #3, item 2: three scheduler nodes and two competing workers, each its own host and bus connection, on one PostgreSQL database at
/// the test run's isolation level (<see cref="BusServices.NodeIsolationLevel"/>). 2,000 execute-once tasks with fire times spread over 10 s, scheduled over the bus concurrently. Every task completes exactly
/// once, none is lost, no (instance, attempt) is dispatched by two nodes, and none arrives before it is due. Throughput and lateness are
/// printed, not asserted (run with <c>--logger "console;verbosity=detailed"</c> to see them).
/// </summary>
[Collection(nameof(RunsAlone))]
public sealed class MultiNodeLoadTests(BusEnvironmentFixture environment, ITestOutputHelper output) : BusTest(output), IClassFixture<BusEnvironmentFixture>
{
    private const int Tasks = 2000;
    private static readonly TimeSpan Spread = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task TwoThousandTasks_OnThreeNodesAndTwoWorkers_CompleteExactlyOnce_NeverEarly()
    {
        await using var bus = new BusServices(environment, Output);
        string[] nodes = ["node-1", "node-2", "node-3"];
        // The tests' short lease (3 s, BusServices.TestNodeDefaults): a node that falls behind under this load must renew its claims, or give
        // them up unsent, before another node can take them over; no (instance, attempt) may go out twice.
        await Task.WhenAll(nodes.Select(node => bus.StartNodeAsync(node))); // concurrent schema creation included
        await Task.WhenAll(bus.StartWorkerAsync("worker-1"), bus.StartWorkerAsync("worker-2"));
        var client = await bus.StartClientAsync();

        var firstFire = Once.FromNow(TimeSpan.FromSeconds(4));
        var step = Spread / Tasks;
        var commands = Enumerable.Range(0, Tasks).Select(i => Once.At(firstFire + (step * i))).ToList();
        var scheduling = Stopwatch.StartNew();
        var replies = await Task.WhenAll(commands.Select(c => client.GetResponse<TaskScheduled, TaskRejected>(c)));
        scheduling.Stop();
        var lastReplyAt = TimeProvider.System.GetUtcNow();

        Assert.All(replies, r => Assert.True(r.Is(out Response<TaskScheduled>? s) && !s!.Message.AlreadyScheduled));
        var taskIds = commands.Select(c => c.TaskId!.Value).ToHashSet();
        await Wait.UntilAsync(async () => await CountCompletedAsync() == Tasks, $"all {Tasks} instances complete", TimeSpan.FromSeconds(90));
        await bus.StopAllAsync(); // workers finish what they hold, nodes release their claims: nothing can arrive after this

        // Every task has exactly one instance, completed by its first attempt.
        var rows = await ReadInstancesAsync();
        Assert.Equal(Tasks, rows.Count);
        Assert.Equal(taskIds, rows.Select(r => r.DefinitionId).ToHashSet());
        Assert.All(rows, r => Assert.Equal((2, 1), (r.Status, r.Attempt)));

        // Every instance reached a handler exactly once (no loss, no duplicate), and never before it was due.
        var receipts = bus.Recorder.Of<TaskDueReceipt>().ToList();
        var perInstance = receipts.GroupBy(r => r.Message.InstanceId).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(rows.Select(r => r.Id).ToHashSet(), perInstance.Keys.ToHashSet());
        var repeated = perInstance.Where(p => p.Value != 1).Select(p => p.Key).ToList();
        Assert.True(repeated.Count == 0, $"{repeated.Count} instances reached a handler more than once, e.g.: " + string.Join("; ", repeated.Take(3).Select(id =>
            string.Join(", ", receipts.Where(r => r.Message.InstanceId == id).Select(r => $"attempt {r.Message.Attempt} at {r.Worker} {r.ReceivedAt:HH:mm:ss.fff}{(r.Redelivered ? " (redelivered)" : "")}")) +
            " / dispatched by " + string.Join(", ", bus.Ledger.Of(id).Select(d => $"{d.NodeId} attempt {d.Attempt} {d.At:HH:mm:ss.fff}")))));
        var early = receipts.Where(r => r.ReceivedAt < r.Message.DueAt).ToList();
        Assert.True(early.Count == 0, $"{early.Count} arrived early, e.g. {early.FirstOrDefault()}");
        Assert.All(new[] { "worker-1", "worker-2" }, w => Assert.Contains(receipts, r => r.Worker == w)); // the workers compete

        // Each (instance, attempt) was dispatched by one node, once.
        var dispatches = bus.Ledger.Records.ToList();
        Assert.Equal(Tasks, dispatches.Count);
        Assert.DoesNotContain(dispatches.GroupBy(d => (d.InstanceId, d.Attempt)), g => g.Count() > 1);

        var lateness = receipts.Select(r => (r.ReceivedAt - r.Message.DueAt).TotalMilliseconds).Order().ToList();
        var lastCompleted = rows.Max(r => r.CompletedAt);
        var endToEnd = lastCompleted - firstFire;
        Output.WriteLine($"scheduled {Tasks} tasks over the bus (concurrent requests) in {scheduling.ElapsedMilliseconds} ms = " +
            $"{Tasks / scheduling.Elapsed.TotalSeconds:F0} commands/s; last reply {(lastReplyAt - firstFire).TotalMilliseconds:F0} ms relative to the first fire time");
        Output.WriteLine($"fire times {firstFire:HH:mm:ss.fff} .. +{Spread.TotalSeconds} s; last completed_at {(lastCompleted - firstFire - Spread).TotalMilliseconds:F0} ms " +
            $"after the last fire time; end to end {Tasks / endToEnd.TotalSeconds:F0} tasks/s completed (first fire time to last completed_at, {endToEnd.TotalSeconds:F2} s)");
        Output.WriteLine($"lateness (receipt - DueAt) ms: p50 {Percentile(lateness, 0.50):F1}, p90 {Percentile(lateness, 0.90):F1}, " +
            $"p99 {Percentile(lateness, 0.99):F1}, max {lateness[^1]:F1}, min {lateness[0]:F2}");
        Output.WriteLine("dispatches per node: " + string.Join(", ", dispatches.GroupBy(d => d.NodeId).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}")) +
            "; receipts per worker: " + string.Join(", ", receipts.GroupBy(r => r.Worker).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}")));
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private async Task<long> CountCompletedAsync()
    {
        await using var connection = new NpgsqlConnection(environment.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM task_instances WHERE status = 2", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<List<(Guid Id, Guid DefinitionId, int Status, int Attempt, DateTimeOffset CompletedAt)>> ReadInstancesAsync()
    {
        await using var connection = new NpgsqlConnection(environment.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT id, definition_id, status, attempt, completed_at FROM task_instances", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(Guid, Guid, int, int, DateTimeOffset)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetGuid(0), reader.GetGuid(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetFieldValue<DateTimeOffset>(4)));
        }

        return rows;
    }
}
