using Microsoft.Extensions.Logging;
using Scheduler.Contracts;
using Scheduler.Core;
using Scheduler.TestSupport;
using Xunit.Abstractions;

namespace Scheduler.IntegrationTests.Bus;

/// <summary>
/// Issue #19, item 7: a node killed and started again under its node id takes its earlier run's claims back at once, instead of waiting out
/// their lease; a second live process under one node id refuses to start and takes nothing. The lease is long (60 s) so that the difference
/// is unambiguous.
/// </summary>
public sealed class NodeRestartTests(BusEnvironmentFixture environment, ITestOutputHelper output) : BusTest(output), IClassFixture<BusEnvironmentFixture>
{
    private const string NodeId = "node-restarted";
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);
    // The default: a send is never given time past the run's liveness (docs/guarantees.md), so a shorter one leaves the restarted node's first
    // sends, which declare the worker's queue on a fresh connection, two seconds or less on a busy broker.
    private static readonly TimeSpan Liveness = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ClaimsOfAKilledNodeProcess_AreDispatchedAtOnce_WhenItStartsAgainUnderItsNodeId_NotAfterTheirLease()
    {
        await using var bus = new BusServices(environment, Output);
        await bus.StartWorkerAsync("worker-a");
        var client = await bus.StartClientAsync();
        await using var victim = await StartNodeProcessAsync();
        try
        {
            var fireTime = Once.FromNow(TimeSpan.FromSeconds(10)); // room for scheduling and claiming on a busy machine before the kill
            var scheduled = await Task.WhenAll(Enumerable.Range(0, 5).Select(i =>
                BusServices.ScheduleAsync(client, Once.At(fireTime.AddMilliseconds(i * 100)))));
            var leases = await WaitForLeasesAsync(scheduled.Select(s => s.TaskId).ToList());

            await victim.KillAsync(); // holding every claim, before any fire time
            var killedAt = TimeProvider.System.GetUtcNow();
            Assert.True(killedAt < fireTime, "the node process was killed before the fire time");
            await bus.StartNodeAsync(NodeId, Configure); // the same node id, started again (in process, so its dispatches are in the ledger)
            var startedAt = TimeProvider.System.GetUtcNow(); // after waiting for the killed run's liveness to lapse

            var waits = new List<TimeSpan>();
            foreach (var task in scheduled)
            {
                var completed = await bus.WaitForInstanceAsync(task.TaskId, i => i.Status == TaskInstanceState.Completed,
                    "the restarted node dispatches its earlier run's instance and a worker completes it");
                var dispatch = Assert.Single(bus.Ledger.Of(completed.Id));
                Assert.Equal(NodeId, dispatch.NodeId);
                // The killed run reserved attempt 1 and never recorded a dispatch: the restarted run keeps attempt 1, the crash uses up none.
                Assert.Equal(1, dispatch.Attempt);
                Assert.Equal(1, Assert.Single(bus.Recorder.Receipts(task.TaskId)).Message.Attempt);
                Assert.True(dispatch.At >= completed.FireTime, $"dispatched at {dispatch.At:O}, before its fire time {completed.FireTime:O}");
                Assert.True(dispatch.At < leases[completed.Id] - (Lease / 2),
                    $"dispatched at {dispatch.At:O}: it waited for the killed run's lease (until {leases[completed.Id]:O})");
                waits.Add(dispatch.At - (completed.FireTime > killedAt ? completed.FireTime : killedAt));
            }

            Output.WriteLine($"Killed at {killedAt:O}, started again {(startedAt - killedAt).TotalSeconds:F1} s later, fire times from {fireTime:O}; dispatched at most {waits.Max().TotalSeconds:F1} s after " +
                $"the later of the kill and the fire time (lease {Lease.TotalSeconds} s, liveness timeout {Liveness.TotalSeconds} s)");
        }
        finally
        {
            Output.WriteLine("--- Scheduler.Host output ---\n" + victim.Output);
        }
    }

    [Fact]
    public async Task SecondLiveProcessUnderOneNodeId_RefusesToStart_AndTakesNothing()
    {
        await using var bus = new BusServices(environment, Output);
        var client = await bus.StartClientAsync();
        await using var first = await StartNodeProcessAsync();
        try
        {
            var scheduled = await BusServices.ScheduleAsync(client, Once.At(Once.FromNow(TimeSpan.FromSeconds(25))));
            var leases = await WaitForLeasesAsync([scheduled.TaskId]);

            // The second start waits until the first run shows a new sign of life (at most the liveness timeout), then fails on purpose:
            // the host logs that at Error, and MassTransit may warn that it cannot stop a bus that never started.
            Logs.Allow(LogLevel.Error, "Microsoft.Extensions.Hosting.Internal.Host", nameof(NodeIdInUseException));
            Logs.Allow(LogLevel.Warning, "MassTransit", "(Not Started)");
            var refusal = await Assert.ThrowsAsync<NodeIdInUseException>(() => bus.StartNodeAsync(NodeId, Configure));

            Assert.Contains($"Another process runs as scheduler node '{NodeId}'", refusal.Message, StringComparison.Ordinal);
            Assert.Contains("Give every node its own Scheduler:NodeId", refusal.Message, StringComparison.Ordinal);
            Assert.Equal(leases, await WaitForLeasesAsync([scheduled.TaskId])); // the first run's claim is untouched: same owner, same lease
            Assert.False(first.HasExited, "the first process runs on");
            Assert.Empty(bus.Ledger.Records); // the refused node dispatched nothing
        }
        finally
        {
            Output.WriteLine("--- Scheduler.Host output ---\n" + first.Output);
        }
    }

    private static void Configure(Core.Runtime.SchedulerOptions options)
    {
        options.ExecutionWindow = TimeSpan.FromSeconds(30);
        options.PollInterval = TimeSpan.FromMilliseconds(200);
        options.LeaseDuration = Lease;
        options.NodeLivenessTimeout = Liveness;
    }

    private Task<ServiceProcess> StartNodeProcessAsync() =>
        ServiceProcess.StartNodeAsync(environment.Broker.Uri, environment.Database.ConnectionString, NodeId, BusServices.NodeProcessSettings(new()
        {
            ["Scheduler__ExecutionWindow"] = "00:00:30", // claims everything scheduled in the test at once and holds it until the fire time
            ["Scheduler__PollInterval"] = "00:00:00.200",
            ["Scheduler__LeaseDuration"] = "00:01:00",
            ["Scheduler__NodeLivenessTimeout"] = "00:00:10",
        }));

    /// <summary>Waits until every instance of <paramref name="taskIds"/> is claimed by the node; returns each lease's expiry.</summary>
    private Task<Dictionary<Guid, DateTimeOffset>> WaitForLeasesAsync(List<Guid> taskIds) =>
        Leases.WaitForAsync(environment.Database.ConnectionString, taskIds, NodeId);
}
