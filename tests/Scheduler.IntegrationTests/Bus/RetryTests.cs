using Microsoft.Extensions.Logging;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Xunit.Abstractions;

namespace Scheduler.IntegrationTests.Bus;

/// <summary>Issue #3, item 4: failed attempts are retried after their backoff and end completed, or failed and dead-lettered after the last one.</summary>
public sealed class RetryTests(BusEnvironmentFixture environment, ITestOutputHelper output) : BusTest(output), IClassFixture<BusEnvironmentFixture>
{
    [Fact]
    public async Task FailedAttempt_IsRetriedAfterItsBackoff_AndCompletes()
    {
        await using var bus = new BusServices(environment, Output);
        Logs.AllowScriptedHandlerFailures(); // the handler fails on purpose
        var client = await bus.StartNodeWorkerAndClientAsync();
        var backoff = TimeSpan.FromSeconds(1);

        var scheduled = await BusServices.ScheduleAsync(client, Once.Scripted(Once.FromNow(TimeSpan.Zero), "fail-once") with
        {
            Retry = new RetryPolicy { MaxAttempts = 3, InitialBackoff = backoff, Jitter = false },
        });
        var completed = await bus.WaitForInstanceAsync(scheduled.TaskId, i => i.Status == TaskInstanceState.Completed, "the retry completes");

        var receipts = bus.Recorder.Receipts(scheduled.TaskId);
        Assert.Equal([1, 2], receipts.Select(r => r.Message.Attempt));
        Assert.Equal(2, completed.Attempt);
        Assert.Contains("scripted failure of attempt 1", completed.LastError, StringComparison.Ordinal);
        var failure = Assert.Single(bus.Recorder.Of<TaskFailed>(), f => f.TaskId == scheduled.TaskId);
        var retry = receipts[1];
        Assert.True(retry.Message.DueAt - failure.FailedAt >= backoff, $"retry due at {retry.Message.DueAt:O}, failure at {failure.FailedAt:O}");
        Assert.True(retry.ReceivedAt >= retry.Message.DueAt, $"retry received at {retry.ReceivedAt:O}, before it was due at {retry.Message.DueAt:O}");
        Assert.Equal([1, 2], bus.Ledger.Of(completed.Id).Select(d => d.Attempt));
    }

    [Fact]
    public async Task LastFailedAttempt_MarksTheInstanceFailed_AndPublishesTaskDeadLettered()
    {
        await using var bus = new BusServices(environment, Output);
        Logs.AllowScriptedHandlerFailures(); // every attempt fails on purpose
        // The last one dead-letters the instance, a Warning an operator should see (the saga announces it).
        Logs.Allow(LogLevel.Warning, "Scheduler.MassTransit.Saga.TaskInstanceStateMachine", "dead-lettered after attempt 3");
        var client = await bus.StartNodeWorkerAndClientAsync();

        var scheduled = await BusServices.ScheduleAsync(client, Once.Scripted(Once.FromNow(TimeSpan.Zero), "fail-always") with
        {
            Retry = new RetryPolicy { MaxAttempts = 3, InitialBackoff = TimeSpan.FromMilliseconds(300), BackoffMultiplier = 2, Jitter = false },
        });
        var failed = await bus.WaitForInstanceAsync(scheduled.TaskId, i => i.Status == TaskInstanceState.Failed, "the instance fails for good");
        await Wait.UntilAsync(() => bus.Recorder.Of<TaskDeadLettered>().Any(d => d.InstanceId == failed.Id), "the client receives TaskDeadLettered");

        var deadLettered = Assert.Single(bus.Recorder.Of<TaskDeadLettered>(), d => d.InstanceId == failed.Id);
        Assert.Equal(3, deadLettered.Attempt);
        Assert.Equal(scheduled.TaskId, deadLettered.TaskId);
        Assert.Equal(scheduled.NextFireTime, deadLettered.FireTime);
        Assert.Contains("scripted failure of attempt 3", deadLettered.Reason, StringComparison.Ordinal);
        Assert.Equal([1, 2, 3], bus.Recorder.Receipts(scheduled.TaskId).Select(r => r.Message.Attempt));
        Assert.Equal(3, failed.Attempt);
        Assert.Null(failed.CompletedAt);
        Assert.NotNull(failed.FailedAt);
        Assert.Null(failed.DueAt);
        Assert.Equal(3, bus.Recorder.Of<TaskFailed>().Count(f => f.InstanceId == failed.Id));
    }

    [Fact]
    public async Task DeadLetter_RequeuedThroughTheClient_RunsAgainAsTheNextAttempt_AndCompletes()
    {
        await using var bus = new BusServices(environment, Output);
        Logs.AllowScriptedHandlerFailures(); // the first attempt fails on purpose
        Logs.Allow(LogLevel.Warning, "Scheduler.MassTransit.Saga.TaskInstanceStateMachine", "dead-lettered after attempt 1");
        var client = await bus.StartNodeWorkerAndClientAsync();
        var scheduled = await BusServices.ScheduleAsync(client, Once.Scripted(Once.FromNow(TimeSpan.Zero), "fail-once") with { Retry = RetryPolicy.None });
        var failed = await bus.WaitForInstanceAsync(scheduled.TaskId, i => i.Status == TaskInstanceState.Failed, "the only attempt fails: a dead letter");

        var requeued = await bus.SchedulerClient.RequeueDeadLettersAsync([failed.Id, scheduled.TaskId]);
        var completed = await bus.WaitForInstanceAsync(scheduled.TaskId, i => i.Status == TaskInstanceState.Completed, "the requeued attempt completes");

        Assert.Equal([failed.Id], requeued);
        Assert.Equal(2, completed.Attempt);
        Assert.Equal([1, 2], bus.Recorder.Receipts(scheduled.TaskId).Select(r => r.Message.Attempt));
        Assert.Empty(await bus.SchedulerClient.RequeueDeadLettersAsync([failed.Id])); // completed: nothing to requeue
        var refused = await Assert.ThrowsAsync<TaskRejectedException>(() => bus.SchedulerClient.RequeueDeadLettersAsync([]));
        Assert.Contains("InstanceIds is empty", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeadLetters_RequeuedInBulkThroughTheClient_GetAFreshBudget_AndCompleteOnceFixed()
    {
        await using var bus = new BusServices(environment, Output);
        Logs.AllowScriptedHandlerFailures(); // the handler fails until it is fixed
        Logs.Allow(LogLevel.Warning, "Scheduler.MassTransit.Saga.TaskInstanceStateMachine", "dead-lettered after attempt 2");
        var client = await bus.StartNodeWorkerAndClientAsync();
        var since = Once.FromNow(TimeSpan.Zero);
        var retry = new RetryPolicy { MaxAttempts = 2, InitialBackoff = TimeSpan.FromMilliseconds(100), Jitter = false };
        var tasks = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            tasks.Add((await BusServices.ScheduleAsync(client, Once.Scripted(since, "fail-until-fixed") with { Retry = retry })).TaskId);
        }

        var dead = new List<Guid>();
        foreach (var task in tasks)
        {
            dead.Add((await bus.WaitForInstanceAsync(task, i => i.Status == TaskInstanceState.Failed, "both attempts fail: a dead letter")).Id);
        }

        bus.HandlerFix.Fix();
        var filter = new DeadLetterFilter { Since = since, DestinationQueue = BusServices.WorkerQueue, Limit = 2 };
        var first = await bus.SchedulerClient.RequeueMatchingDeadLettersAsync(filter);
        var second = await bus.SchedulerClient.RequeueMatchingDeadLettersAsync(filter);
        var completed = new List<TaskInstance>();
        foreach (var task in tasks)
        {
            completed.Add(await bus.WaitForInstanceAsync(task, i => i.Status == TaskInstanceState.Completed, "the requeued attempt completes"));
        }

        Assert.Equal(2, first.Requeued.Count);
        Assert.True(first.More);
        Assert.Single(second.Requeued);
        Assert.False(second.More);
        Assert.Equal(dead.Order(), first.Requeued.Concat(second.Requeued).Order());
        Assert.All(completed, c => Assert.Equal((3, 4), (c.Attempt, c.MaxAttempts))); // attempt 3 of a fresh budget of 2 after attempt 2
        Assert.All(tasks, t => Assert.Equal([1, 2, 3], bus.Recorder.Receipts(t).Select(r => r.Message.Attempt)));
        Assert.Empty((await bus.SchedulerClient.RequeueMatchingDeadLettersAsync(filter)).Requeued); // all completed: nothing to requeue
        var refused = await Assert.ThrowsAsync<TaskRejectedException>(() => bus.SchedulerClient.RequeueMatchingDeadLettersAsync(filter with { Limit = 0 }));
        Assert.Contains("Filter.Limit 0 is out of range", refused.Message, StringComparison.Ordinal);
    }
}
