using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Xunit.Abstractions;

namespace Scheduler.IntegrationTests.Bus;

/// <summary>
/// Issue #10, item 1: pause, resume, update, trigger now and the queries, through the typed <see cref="ISchedulerClient"/> as another service
/// would call them, over real RabbitMQ and PostgreSQL.
/// </summary>
public sealed class TaskControlTests(BusEnvironmentFixture environment, ITestOutputHelper output) : BusTest(output), IClassFixture<BusEnvironmentFixture>
{
    /// <summary>A task that fires once a year (only TriggerTaskNow runs it in these tests) and whose runs take 2.5 s.</summary>
    private static Task<TaskScheduled> ScheduleYearlySleeperAsync(ISchedulerClient scheduler) => scheduler.ScheduleAsync(new ScheduleTask
    {
        DestinationQueue = BusServices.WorkerQueue,
        Trigger = "0 0 1 1 *",
        Metadata = new Dictionary<string, string> { ["behavior"] = "sleep-2500ms" },
    });

    [Fact]
    public async Task PausedRecurringTask_FiresNothingUntilResumed_ThenFiresAgain()
    {
        await using var bus = new BusServices(environment, Output);
        await bus.StartNodeWorkerAndClientAsync();
        var scheduler = bus.SchedulerClient;
        var task = await scheduler.ScheduleAsync(new ScheduleTask { DestinationQueue = BusServices.WorkerQueue, Trigger = "* * * * * *", Overlap = OverlapPolicy.AllowAll });
        await Wait.UntilAsync(() => Task.FromResult(bus.Recorder.Receipts(task.TaskId).Count >= 2), "the every-second task fires");

        var paused = await scheduler.PauseAsync(task.TaskId);
        var again = await scheduler.PauseAsync(task.TaskId);
        var pausedAt = (await bus.Store.GetDefinitionAsync(task.TaskId))!.PausedAt!.Value; // the node's time when the pause was applied

        Assert.Equal((true, TaskState.Paused), (paused.Changed, paused.Task.State));
        Assert.False(again.Changed);
        // Three seconds of fire times pass while paused: none is dispatched (the node had its sends of the task recorded before it applied the
        // pause, and checked its claims before it answered). A marker task due then has reached the worker: the node's runner passed that time.
        var marker = await scheduler.ScheduleAsync(Once.At(pausedAt.AddSeconds(3)));
        await Wait.UntilAsync(() => bus.Recorder.Receipts(marker.TaskId).Count > 0, "the marker task due three seconds after the pause arrives");
        Assert.DoesNotContain(bus.Recorder.Receipts(task.TaskId), r => r.Message.FireTime > pausedAt);
        Assert.DoesNotContain(await bus.Store.GetInstancesAsync(task.TaskId), i => i.FireTime > pausedAt);
        Assert.Equal(TaskState.Paused, (await scheduler.GetAsync(task.TaskId))!.State);
        Assert.Contains((await scheduler.ListAsync(new ListTasks { State = TaskState.Paused })).Tasks, t => t.TaskId == task.TaskId);

        var resumed = await scheduler.ResumeAsync(task.TaskId);
        var resumedAt = TimeProvider.System.GetUtcNow();

        Assert.Equal((true, TaskState.Active), (resumed.Changed, resumed.Task.State));
        await Wait.UntilAsync(() => Task.FromResult(bus.Recorder.Receipts(task.TaskId).Count(r => r.Message.FireTime > resumedAt) >= 2),
            "the resumed task fires again");
    }

    [Fact]
    public async Task Update_MovesTheNextFireTime_AndLeavesTheRunningAttemptAlone()
    {
        await using var bus = new BusServices(environment, Output);
        await bus.StartNodeWorkerAndClientAsync();
        var scheduler = bus.SchedulerClient;
        var task = await ScheduleYearlySleeperAsync(scheduler);

        var triggered = await scheduler.TriggerNowAsync(task.TaskId);
        var running = await bus.WaitForInstanceAsync(task.TaskId, i => i.Id == triggered.InstanceId && i.Status == TaskInstanceState.Dispatched,
            "the triggered run is dispatched");
        var updated = await scheduler.UpdateAsync(new UpdateTask
        {
            TaskId = task.TaskId,
            Trigger = "30 4 * * *",
            TimeZone = "Asia/Tokyo",
            Metadata = new Dictionary<string, string> { ["behavior"] = "sleep-2500ms", ["owner"] = "billing" },
        });

        var now = TimeProvider.System.GetUtcNow();
        Assert.True(updated.Changed);
        Assert.Equal(("30 4 * * *", "Asia/Tokyo"), (updated.Task.Trigger, updated.Task.TimeZone));
        var next = updated.Task.NextFireTime!.Value;
        Assert.True(next > now && next <= now.AddDays(1), $"next fire time {next:O}");
        Assert.Equal(new TimeSpan(4, 30, 0), next.ToOffset(TimeSpan.FromHours(9)).TimeOfDay);
        Assert.Equal("billing", (await scheduler.GetAsync(task.TaskId))!.Metadata["owner"]);

        // The run in flight was left alone: it completes as attempt 1, dispatched once.
        var completed = await bus.WaitForInstanceAsync(task.TaskId, i => i.Id == running.Id && i.Status == TaskInstanceState.Completed,
            "the running attempt completes");
        Assert.Equal(1, completed.Attempt);
        Assert.Equal([1], bus.Ledger.Of(running.Id).Select(d => d.Attempt));
        var history = await scheduler.GetInstancesAsync(new GetTaskInstances { TaskId = task.TaskId });
        var shown = Assert.Single(history.Instances);
        Assert.Equal((running.Id, TaskInstanceState.Completed, 1), (shown.InstanceId, shown.State, shown.Attempt));

        var same = await scheduler.UpdateAsync(new UpdateTask { TaskId = task.TaskId, Trigger = "30 4 * * *" });
        Assert.False(same.Changed);
    }

    [Fact]
    public async Task CancelledTask_WhoseRunningAttemptFails_IsNotRetried()
    {
        await using var bus = new BusServices(environment, Output);
        Logs.AllowScriptedHandlerFailures(); // the running attempt fails on purpose
        await bus.StartNodeWorkerAndClientAsync();
        var scheduler = bus.SchedulerClient;
        var task = await scheduler.ScheduleAsync(Once.Scripted(Once.FromNow(TimeSpan.Zero), "fail-after-2s") with
        {
            Retry = new RetryPolicy { MaxAttempts = 3, InitialBackoff = TimeSpan.FromMilliseconds(100), Jitter = false },
        });
        var running = await bus.WaitForInstanceAsync(task.TaskId, i => i.Status == TaskInstanceState.Dispatched, "the attempt is dispatched");

        Assert.True(await scheduler.CancelAsync(task.TaskId));

        // The attempt fails after the cancel: its failure is recorded, and the retry it would have had is cancelled instead of dispatched.
        var cancelled = await bus.WaitForInstanceAsync(task.TaskId, i => i.Status == TaskInstanceState.Cancelled, "the retry is cancelled");
        Assert.Contains("scripted failure of attempt 1", cancelled.LastError, StringComparison.Ordinal);
        Assert.Equal([1], bus.Ledger.Of(running.Id).Select(d => d.Attempt));
    }

    [Fact]
    public async Task Delete_IsRefusedWhileAnAttemptRuns_ThenDeletesTheTaskAndItsHistory_AndAFinishedInstanceAlone()
    {
        await using var bus = new BusServices(environment, Output);
        await bus.StartNodeWorkerAndClientAsync();
        var scheduler = bus.SchedulerClient;
        var task = await ScheduleYearlySleeperAsync(scheduler);
        var first = await scheduler.TriggerNowAsync(task.TaskId);
        await bus.WaitForInstanceAsync(task.TaskId, i => i.Id == first.InstanceId && i.Status == TaskInstanceState.Completed, "the first run completes");
        var second = await scheduler.TriggerNowAsync(task.TaskId);
        await bus.WaitForInstanceAsync(task.TaskId, i => i.Id == second.InstanceId && i.Status == TaskInstanceState.Dispatched, "the second run is dispatched");

        var refused = await Assert.ThrowsAsync<TaskRejectedException>(() => scheduler.DeleteAsync(task.TaskId));
        var running = await Assert.ThrowsAsync<TaskRejectedException>(() => scheduler.DeleteInstanceAsync(second.InstanceId!.Value));

        Assert.Contains("(1 Dispatched)", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Cancel it first and wait until its dispatched instances finish", refused.Message, StringComparison.Ordinal);
        Assert.Contains("is Dispatched", running.Message, StringComparison.Ordinal);
        Assert.NotNull(await scheduler.GetAsync(task.TaskId));
        Assert.True(await scheduler.DeleteInstanceAsync(first.InstanceId!.Value));
        Assert.False(await scheduler.DeleteInstanceAsync(first.InstanceId.Value));
        Assert.Equal([second.InstanceId!.Value], (await bus.Store.GetInstancesAsync(task.TaskId)).Select(i => i.Id));

        await bus.WaitForInstanceAsync(task.TaskId, i => i.Id == second.InstanceId && i.Status == TaskInstanceState.Completed, "the second run completes");
        Assert.True(await scheduler.DeleteAsync(task.TaskId));

        Assert.Null(await scheduler.GetAsync(task.TaskId));
        Assert.Null(await bus.Store.GetDefinitionAsync(task.TaskId));
        Assert.Empty(await bus.Store.GetInstancesAsync(task.TaskId));
        Assert.False(await scheduler.DeleteAsync(task.TaskId)); // a repeat: nothing to delete
    }

    [Fact]
    public async Task RetryInstanceNow_DispatchesAWaitingRetryAtOnce_KeepingItsAttempts()
    {
        await using var bus = new BusServices(environment, Output);
        Logs.AllowScriptedHandlerFailures(); // the first attempt fails on purpose
        await bus.StartNodeWorkerAndClientAsync();
        var scheduler = bus.SchedulerClient;
        var task = await scheduler.ScheduleAsync(Once.Scripted(Once.FromNow(TimeSpan.Zero), "fail-once") with
        {
            Retry = new RetryPolicy { MaxAttempts = 3, InitialBackoff = TimeSpan.FromHours(1), MaxBackoff = TimeSpan.FromHours(1), Jitter = false },
        });
        var waiting = await bus.WaitForInstanceAsync(task.TaskId, i => i.Status == TaskInstanceState.Scheduled && i.Attempt == 1,
            "the failed attempt waits an hour for its retry");

        var retried = await scheduler.RetryInstanceNowAsync(waiting.Id);

        Assert.True(retried is { Found: true, Changed: true }, retried.ToString());
        Assert.Equal((1, 3), (retried.Instance!.Attempt, retried.Instance.MaxAttempts));
        var completed = await bus.WaitForInstanceAsync(task.TaskId, i => i.Status == TaskInstanceState.Completed, "the retry runs now and completes");
        Assert.Equal(2, completed.Attempt);
        var dead = await Assert.ThrowsAsync<TaskRejectedException>(() => scheduler.RetryInstanceNowAsync(waiting.Id));
        Assert.Contains("is not waiting for a retry: it is Completed", dead.Message, StringComparison.Ordinal);
        Assert.False((await scheduler.RetryInstanceNowAsync(Guid.NewGuid())).Found);
    }

    [Fact]
    public async Task BadCommands_AreRefused_WithTheReason_AndChangeNothing()
    {
        await using var bus = new BusServices(environment, Output);
        await bus.StartNodeWorkerAndClientAsync();
        var scheduler = bus.SchedulerClient;
        var task = await scheduler.ScheduleAsync(new ScheduleTask { DestinationQueue = BusServices.WorkerQueue, Trigger = "0 9 * * *" });

        var badTrigger = await Assert.ThrowsAsync<TaskRejectedException>(() => scheduler.UpdateAsync(new UpdateTask { TaskId = task.TaskId, Trigger = "*/5 * * *" }));
        var badZone = await Assert.ThrowsAsync<TaskRejectedException>(() => scheduler.UpdateAsync(new UpdateTask { TaskId = task.TaskId, TimeZone = "Mars/Olympus" }));
        var missing = Guid.NewGuid();
        var notFound = await Assert.ThrowsAsync<TaskNotFoundException>(() => scheduler.PauseAsync(missing));
        var badPage = await Assert.ThrowsAsync<TaskRejectedException>(() => scheduler.ListAsync(new ListTasks { PageSize = 0 }));
        var badToken = await Assert.ThrowsAsync<TaskRejectedException>(() => scheduler.ListAsync(new ListTasks { PageToken = "'; DROP TABLE task_definitions" }));

        Assert.Contains("'*/5 * * *' has 4 fields", badTrigger.Message, StringComparison.Ordinal);
        Assert.Contains("Mars/Olympus", badZone.Message, StringComparison.Ordinal);
        Assert.Equal(missing, notFound.TaskId);
        Assert.Contains("PageSize 0", badPage.Message, StringComparison.Ordinal);
        Assert.Contains("PageToken", badToken.Message, StringComparison.Ordinal);
        var stored = (await scheduler.GetAsync(task.TaskId))!;
        Assert.Equal(("0 9 * * *", "UTC", TaskState.Active), (stored.Trigger, stored.TimeZone, stored.State));
        Assert.Null(await scheduler.GetAsync(missing));

        Assert.True(await scheduler.CancelAsync(task.TaskId));
        var cancelled = await Assert.ThrowsAsync<TaskRejectedException>(() => scheduler.ResumeAsync(task.TaskId));
        Assert.Contains("was cancelled", cancelled.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<TaskRejectedException>(() => scheduler.TriggerNowAsync(task.TaskId));
    }

    [Fact]
    public async Task ListTasks_FiltersByMetadata_AndPages()
    {
        await using var bus = new BusServices(environment, Output);
        await bus.StartNodeWorkerAndClientAsync();
        var scheduler = bus.SchedulerClient;
        var tenant = Guid.NewGuid().ToString("N");
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await scheduler.ScheduleAsync(new ScheduleTask
            {
                DestinationQueue = BusServices.WorkerQueue,
                Trigger = "0 9 * * *",
                Metadata = new Dictionary<string, string> { ["tenant"] = tenant, ["n"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            })).TaskId);
        }

        var seen = new List<Guid>();
        string? token = null;
        do
        {
            var page = await scheduler.ListAsync(new ListTasks { MetadataKey = "tenant", MetadataValue = tenant, PageSize = 2, PageToken = token });
            Assert.True(page.Tasks.Count <= 2);
            seen.AddRange(page.Tasks.Select(t => t.TaskId));
            token = page.NextPageToken;
        }
        while (token is not null);

        Assert.Equal(ids, seen);
        var third = await scheduler.ListAsync(new ListTasks { MetadataKey = "n", MetadataValue = "3" });
        Assert.Contains(third.Tasks, t => t.TaskId == ids[3]);
        Assert.DoesNotContain(third.Tasks, t => t.TaskId == ids[2]);
    }
}
