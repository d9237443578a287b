using System.Diagnostics;
using MassTransit;
using Scheduler.Contracts;
using Xunit.Abstractions;

namespace Scheduler.IntegrationTests.Bus;

/// <summary>
/// Intake throughput of one scheduler node on RabbitMQ and PostgreSQL (at the test run's isolation level): concurrent single <see cref="ScheduleTask"/> requests
/// without and with batching, a lone request's round trip, then bulk <see cref="ScheduleTasks"/> commands. Printed, not asserted (run with <c>--logger "console;verbosity=detailed"</c> to see the numbers).
/// </summary>
[Collection(nameof(RunsAlone))]
public sealed class IntakeThroughputMeasurement(BusEnvironmentFixture environment, ITestOutputHelper output) : BusTest(output), IClassFixture<BusEnvironmentFixture>
{
    private const int SingleCommands = 5000;
    private const int BulkCommands = 10;

    [Fact]
    public async Task SingleAndBulkIntake_AreEachAnsweredInFull()
    {
        await using var bus = new BusServices(environment, Output);
        var client = await bus.StartClientAsync();

        // The same load without batching (batches of one) and with the default batches, on the same box at the same time.
        var unbatched = await bus.StartNodeAsync("node-unbatched", o => o.IntakeBatchSize = 1);
        var withoutBatching = await ScheduleSinglesAsync(client);
        await bus.StopAsync(unbatched);
        await bus.StartNodeAsync("node-a");
        var withBatching = await ScheduleSinglesAsync(client);

        // A lone command waits for the batch's time limit (default 5 ms) before it is stored: its round trip, one request at a time.
        var lone = new List<double>();
        for (var i = 0; i < 50; i++)
        {
            var watch = Stopwatch.StartNew();
            await BusServices.ScheduleAsync(client, Command());
            lone.Add(watch.Elapsed.TotalMilliseconds);
        }

        lone.Sort();

        var bulk = Stopwatch.StartNew();
        var bulkReplies = await Task.WhenAll(Enumerable.Range(0, BulkCommands).Select(_ => bus.BulkClient.GetResponse<TasksScheduled, TasksRejected>(
            new ScheduleTasks { Tasks = Enumerable.Range(0, ScheduleTasks.MaxTasks).Select(_ => Command()).ToList() })));
        bulk.Stop();
        Assert.All(bulkReplies, r => Assert.True(r.Is(out Response<TasksScheduled>? s) && s!.Message.Results.All(x => x.Scheduled is { AlreadyScheduled: false })));

        Output.WriteLine($"single, batches of 1: {SingleCommands} concurrent ScheduleTask requests answered in {withoutBatching.TotalMilliseconds:F0} ms = " +
            $"{SingleCommands / withoutBatching.TotalSeconds:F0} commands/s");
        Output.WriteLine($"single, default batches: {SingleCommands} concurrent ScheduleTask requests answered in {withBatching.TotalMilliseconds:F0} ms = " +
            $"{SingleCommands / withBatching.TotalSeconds:F0} commands/s");
        Output.WriteLine($"lone ScheduleTask request round trip (50, one at a time): p50 {lone[24]:F1} ms, p90 {lone[44]:F1} ms, max {lone[^1]:F1} ms");
        Output.WriteLine($"bulk: {BulkCommands} concurrent ScheduleTasks of {ScheduleTasks.MaxTasks} tasks answered in {bulk.ElapsedMilliseconds} ms = " +
            $"{BulkCommands * ScheduleTasks.MaxTasks / bulk.Elapsed.TotalSeconds:F0} tasks/s");
    }

    // Fires next January: nothing within the execution window, so the loops stay idle and only intake is measured.
    private static ScheduleTask Command() => new() { Trigger = "0 0 1 1 *", DestinationQueue = BusServices.WorkerQueue };

    private static async Task<TimeSpan> ScheduleSinglesAsync(IRequestClient<ScheduleTask> client)
    {
        await BusServices.ScheduleAsync(client, Command()); // warm-up: connections, JIT, schema
        var watch = Stopwatch.StartNew();
        // Minutes, not the client's 60 s: 5,000 concurrent requests on a loaded machine, unbatched, must be answered, not raced.
        var replies = await Task.WhenAll(Enumerable.Range(0, SingleCommands).Select(_ =>
            client.GetResponse<TaskScheduled, TaskRejected>(Command(), CancellationToken.None, RequestTimeout.After(m: 10))));
        watch.Stop();
        Assert.All(replies, r => Assert.True(r.Is(out Response<TaskScheduled>? s) && !s!.Message.AlreadyScheduled));
        return watch.Elapsed;
    }
}
