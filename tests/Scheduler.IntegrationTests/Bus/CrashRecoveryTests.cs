using Npgsql;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.TestSupport;
using Xunit.Abstractions;

namespace Scheduler.IntegrationTests.Bus;

/// <summary>Issue #3, item 3: what a killed scheduler node or a killed worker leaves behind is dispatched again and completes.</summary>
public sealed class CrashRecoveryTests(BusEnvironmentFixture environment, ITestOutputHelper output) : BusTest(output), IClassFixture<BusEnvironmentFixture>
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task ClaimsOfAKilledNodeProcess_AreDispatchedByAnotherNode_OnceTheLeaseRunsOut()
    {
        await using var bus = new BusServices(environment, Output);
        await bus.StartWorkerAsync("worker-a");
        var client = await bus.StartClientAsync();
        await using var victim = await ServiceProcess.StartNodeAsync(environment.Broker.Uri, environment.Database.ConnectionString, "node-process", BusServices.NodeProcessSettings(new()
        {
            ["Scheduler__ExecutionWindow"] = "00:00:30", // claims everything scheduled below at once and holds it until the fire time
            ["Scheduler__PollInterval"] = "00:00:00.200",
            ["Scheduler__LeaseDuration"] = "00:00:03",
        }));
        try
        {
            var fireTime = Once.FromNow(TimeSpan.FromSeconds(12)); // room for scheduling and claiming on a busy machine before the kill
            var scheduled = await Task.WhenAll(Enumerable.Range(0, 5).Select(i =>
                BusServices.ScheduleAsync(client, Once.At(fireTime.AddMilliseconds(i * 100)))));
            var leases = await WaitForLeasesAsync(scheduled.Select(s => s.TaskId).ToList(), "node-process");

            await victim.KillAsync(); // holding every claim, before any fire time
            Assert.True(TimeProvider.System.GetUtcNow() < fireTime, "the node process was killed before the fire time");
            await bus.StartNodeAsync("node-b");

            foreach (var task in scheduled)
            {
                var completed = await bus.WaitForInstanceAsync(task.TaskId, i => i.Status == TaskInstanceState.Completed,
                    "the surviving node dispatches the killed node's instance after its lease and a worker completes it");
                var dispatch = Assert.Single(bus.Ledger.Of(completed.Id));
                Assert.Equal("node-b", dispatch.NodeId);
                Assert.True(dispatch.At >= leases[completed.Id], $"dispatched at {dispatch.At:O}, while node-process's lease held until {leases[completed.Id]:O}");
                var receipt = Assert.Single(bus.Recorder.Receipts(task.TaskId));
                Assert.Equal(dispatch.Attempt, receipt.Message.Attempt);
                // The killed node reserved attempt 1 and never recorded a dispatch: the takeover keeps attempt 1, the crash uses up none.
                Assert.Equal(1, receipt.Message.Attempt);
            }
        }
        finally
        {
            Output.WriteLine("--- Scheduler.Host output ---\n" + victim.Output);
        }
    }

    /// <remarks>
    /// The worker "dies" mid-handler by never returning (it reports nothing and keeps its message unacknowledged), which is what the scheduler
    /// sees of a crashed or frozen worker. Killing the worker's bus in process does not work: MassTransit's StopAsync with a cancelled token
    /// leaves the consumer's channel open (BasicCancel faults), so it keeps receiving and holding later messages, attempt 2 included.
    /// </remarks>
    [Fact]
    public async Task AttemptWhoseHandlerNeverReturns_IsDispatchedAgainAfterExpireAfter_AsAttempt2_AndCompletes()
    {
        await using var bus = new BusServices(environment, Output);
        var client = await bus.StartNodeWorkerAndClientAsync(heartbeats: false); // worker-a hangs without heartbeats, as a dead worker
        var expireAfter = TimeSpan.FromSeconds(3);

        var scheduled = await BusServices.ScheduleAsync(client, Once.Scripted(Once.FromNow(TimeSpan.Zero), "hang-first") with { ExpireAfter = expireAfter });
        await Wait.UntilAsync(() => bus.Recorder.Receipts(scheduled.TaskId).Any(r => r.Message.Attempt == 1), "the worker's handler runs attempt 1");
        await bus.StartWorkerAsync("worker-b"); // a second instance of the worker service, competing for the same queue
        var completed = await bus.WaitForInstanceAsync(scheduled.TaskId, i => i.Status == TaskInstanceState.Completed, "attempt 2 completes");

        var dispatches = bus.Ledger.Of(completed.Id);
        Assert.Equal([1, 2], dispatches.Select(d => d.Attempt));
        Assert.True(dispatches[1].At - dispatches[0].At >= expireAfter,
            $"attempt 2 dispatched {(dispatches[1].At - dispatches[0].At).TotalMilliseconds} ms after attempt 1, before ExpireAfter ran out");
        Assert.Equal([1, 2], bus.Recorder.Receipts(scheduled.TaskId).Select(r => r.Message.Attempt));
        Assert.Equal(2, completed.Attempt);
        Assert.NotNull(completed.CompletedAt);
    }

    /// <remarks>
    /// Unlike the in-process hang above, the worker really dies: its process is killed mid-handler, so its connection closes with attempt 1
    /// unacknowledged. Either the broker requeues that message for the next consumer of the queue (attempt 1, redelivered) or, if the
    /// attempt expired first, the runner dispatches attempt 2; whichever arrives, the instance completes.
    /// </remarks>
    [Fact]
    public async Task TaskInstanceOfAWorkerProcessKilledMidHandler_IsNotLost_AndCompletesOnAnotherWorkerOfTheQueue()
    {
        const string queue = "crash-worker";
        await using var bus = new BusServices(environment, Output);
        await bus.StartNodeAsync("node-a");
        var client = await bus.StartClientAsync();
        await using var victim = await ServiceProcess.StartWorkerAsync(environment.Broker.Uri, "worker-process", queue, new Dictionary<string, string>
        {
            ["Worker:OwnTasksOnly"] = "true",
            ["Worker:HandlerDelay"] = "00:01:00", // still in the handler when killed
        });
        try
        {
            var scheduled = await BusServices.ScheduleAsync(client, Once.At(Once.FromNow(TimeSpan.FromSeconds(2))) with
            {
                ExpireAfter = TimeSpan.FromSeconds(5),
                DestinationQueue = queue, // only the consumers of this queue receive it
            });
            await Wait.UntilAsync(() => victim.Output.Contains($"task {scheduled.TaskId} instance", StringComparison.Ordinal),
                "the worker process's handler runs attempt 1");
            Assert.Contains($"task {scheduled.TaskId} instance", victim.Output, StringComparison.Ordinal);
            Assert.Contains(" attempt 1/", victim.Output, StringComparison.Ordinal);

            await victim.KillAsync(); // mid-handler: attempt 1 is neither acknowledged nor reported
            await bus.StartWorkerAsync("worker-b", queue, ownTasksOnly: true);
            var completed = await bus.WaitForInstanceAsync(scheduled.TaskId, i => i.Status == TaskInstanceState.Completed,
                "the killed worker's instance completes on the other worker of its queue");

            var receipts = bus.Recorder.Receipts(scheduled.TaskId);
            Assert.All(receipts, r => Assert.Equal("worker-b", r.Worker));
            var receipt = Assert.Single(receipts, r => r.Message.Attempt == completed.Attempt);
            var dispatches = bus.Ledger.Of(completed.Id);
            Assert.Equal(1, dispatches[0].Attempt);
            Assert.All(dispatches, d => Assert.Equal(queue, d.DestinationQueue));
            switch (completed.Attempt)
            {
                case 1:
                    Assert.True(receipt.Redelivered, "attempt 1 reached worker-b only as the broker's redelivery of the killed worker's message");
                    Output.WriteLine($"Observed: the broker redelivered attempt 1 to worker-b (dispatches: {string.Join(", ", dispatches.Select(d => d.Attempt))}).");
                    break;
                case 2:
                    Assert.Equal([1, 2], dispatches.Select(d => d.Attempt));
                    Output.WriteLine($"Observed: attempt 1 expired and the runner dispatched attempt 2 (redelivered attempt 1 received too: {receipts.Any(r => r.Message.Attempt == 1)}).");
                    break;
                default:
                    Assert.Fail($"completed as attempt {completed.Attempt}; expected attempt 1 (redelivered) or 2 (after ExpireAfter)");
                    break;
            }

            Assert.NotNull(completed.CompletedAt);
        }
        finally
        {
            Output.WriteLine("--- Worker output ---\n" + victim.Output);
        }
    }

    /// <summary>Waits until every instance of <paramref name="taskIds"/> is claimed by <paramref name="owner"/>; returns each lease's expiry.</summary>
    private async Task<Dictionary<Guid, DateTimeOffset>> WaitForLeasesAsync(List<Guid> taskIds, string owner)
    {
        var leases = await Leases.WaitForAsync(environment.Database.ConnectionString, taskIds, owner);
        Assert.All(leases.Values, expiry => Assert.True(expiry > TimeProvider.System.GetUtcNow() + Lease - TimeSpan.FromSeconds(1)));
        return leases;
    }
}
