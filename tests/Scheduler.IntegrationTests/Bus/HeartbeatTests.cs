using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Xunit.Abstractions;

namespace Scheduler.IntegrationTests.Bus;

/// <summary>
/// Issue #10, item 3: a running handler keeps its attempt alive with heartbeats (sent by AddTaskReporting every ExpireAfter / 3), so a
/// handler that legitimately runs longer than ExpireAfter is dispatched once; real RabbitMQ and PostgreSQL.
/// </summary>
public sealed class HeartbeatTests(BusEnvironmentFixture environment, ITestOutputHelper output) : IClassFixture<BusEnvironmentFixture>
{
    [Fact]
    public async Task HandlerRunningThreeTimesItsExpireAfter_WhileHeartbeating_IsDispatchedOnce_AndCompletes()
    {
        await using var bus = new BusServices(environment, output);
        var client = await bus.StartNodeWorkerAndClientAsync();
        await bus.StartWorkerAsync("worker-b"); // an idle competitor that would take a second dispatch at once
        // Heartbeats every 4 s: a heartbeat may reach the saga up to 8 s late (a loaded CI machine, serialization retries) before the attempt
        // expires. The handler runs 36 s.
        var expireAfter = TimeSpan.FromSeconds(12);

        var scheduled = await BusServices.ScheduleAsync(client, Once.Scripted(Once.FromNow(TimeSpan.Zero), "run-3x") with { ExpireAfter = expireAfter });
        var completed = await bus.WaitForInstanceAsync(scheduled.TaskId, i => i.Status == TaskInstanceStatus.Completed, "the long handler completes");

        Assert.Equal([1], bus.Ledger.Of(completed.Id).Select(d => d.Attempt)); // never dispatched again while it ran
        var receipt = Assert.Single(bus.Recorder.Receipts(scheduled.TaskId));
        Assert.Equal(expireAfter, receipt.Message.ExpireAfter);
        // It outlived its ExpireAfter twice over (it sleeps three times it; timers and clocks may differ by a few milliseconds).
        Assert.True(completed.ReportedCompletedAt - receipt.ReceivedAt > expireAfter * 2,
            $"the handler ran {(completed.ReportedCompletedAt - receipt.ReceivedAt)?.TotalSeconds} s, not well past ExpireAfter");
        Assert.Equal(1, completed.Attempt);
    }
}
