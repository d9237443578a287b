using Scheduler.Contracts;
using Xunit.Abstractions;

namespace Scheduler.IntegrationTests.Bus;

/// <summary>Issue #20, item 1: every attempt of an instance is kept, and GetTaskInstances returns them.</summary>
public sealed class AttemptHistoryTests(BusEnvironmentFixture environment, ITestOutputHelper output) : BusTest(output), IClassFixture<BusEnvironmentFixture>
{
    [Fact]
    public async Task TaskFailingTwiceThenCompleting_ShowsItsThreeAttempts_WithOutcomeErrorNodeWorkerAndDuration()
    {
        await using var bus = new BusServices(environment, Output);
        Logs.AllowScriptedHandlerFailures(); // attempts 1 and 2 fail on purpose
        var client = await bus.StartNodeWorkerAndClientAsync();
        var scheduled = await BusServices.ScheduleAsync(client, Once.Scripted(Once.FromNow(TimeSpan.Zero), "fail-twice") with
        {
            Retry = new RetryPolicy { MaxAttempts = 3, InitialBackoff = TimeSpan.FromMilliseconds(300), Jitter = false },
        });
        await bus.WaitForInstanceAsync(scheduled.TaskId, i => i.Status == TaskInstanceState.Completed, "the third attempt completes");

        var instance = Assert.Single((await bus.SchedulerClient.GetInstancesAsync(new GetTaskInstances { TaskId = scheduled.TaskId })).Instances);

        Assert.Equal([(1, AttemptOutcome.Failed), (2, AttemptOutcome.Failed), (3, AttemptOutcome.Completed)],
            instance.Attempts.Select(a => (a.Attempt, a.Outcome!.Value)));
        Assert.Contains("scripted failure of attempt 1", instance.Attempts[0].Error, StringComparison.Ordinal);
        Assert.Contains("scripted failure of attempt 2", instance.Attempts[1].Error, StringComparison.Ordinal);
        Assert.Null(instance.Attempts[2].Error);
        Assert.All(instance.Attempts, a =>
        {
            Assert.Equal(("node-a", $"{Environment.MachineName}/{Environment.ProcessId}"), (a.ClaimedBy, a.Worker));
            Assert.True(a.ClaimedAt <= a.DispatchedAt && a.StartedAt <= a.FinishedAt, $"attempt {a.Attempt}: {a}");
            Assert.InRange(a.Duration!.Value, TimeSpan.Zero, TimeSpan.FromSeconds(30));
        });
        Assert.True(instance.Attempts[0].FinishedAt <= instance.Attempts[1].ClaimedAt, "attempt 2 was claimed after attempt 1 failed");
    }
}
