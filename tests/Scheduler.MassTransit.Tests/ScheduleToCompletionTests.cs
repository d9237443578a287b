using System.Globalization;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;

namespace Scheduler.MassTransit.Tests;

public class ScheduleToCompletionTests
{
    private static ScheduleTask Once(TimeSpan fromStart, string? behavior = null) => new()
    {
        Trigger = (BusFixture.Start + fromStart).ToString("O", CultureInfo.InvariantCulture),
        Metadata = behavior is null ? null : new Dictionary<string, string> { ["behavior"] = behavior },
    };

    [Fact]
    public async Task ScheduleTask_IsDispatchedAtItsFireTimeAndCompletedThroughTheSaga()
    {
        await using var f = await BusFixture.StartAsync();
        var scheduled = Assert.IsType<TaskScheduled>(await f.ScheduleAsync(Once(TimeSpan.FromSeconds(5)) with
        {
            Metadata = new Dictionary<string, string> { ["to"] = "ada@example.com" },
            Payload = "{\"text\":\"stand up\"}",
        }));
        Assert.Equal(BusFixture.Start.AddSeconds(5), scheduled.NextFireTime);

        // A marker task due a millisecond before it: once the marker is consumed, the runner has dispatched everything due at that instant.
        var marker = Assert.IsType<TaskScheduled>(await f.ScheduleAsync(Once(TimeSpan.FromSeconds(5) - TimeSpan.FromMilliseconds(1))));
        await BusFixture.Eventually(() => f.Runner.HeldCount == 2, "the runner claims both instances inside the execution window");
        f.Time.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromMilliseconds(1));
        await BusFixture.Eventually(() => f.ConsumedTaskDue(marker.TaskId).Count == 1, "the marker due a millisecond earlier is consumed");
        Assert.Empty(f.ConsumedTaskDue(scheduled.TaskId)); // not a millisecond early: still held, not taken for dispatch
        Assert.Equal(1, f.Runner.HeldCount);

        f.Time.Advance(TimeSpan.FromMilliseconds(1));
        var instance = await f.WaitForInstanceAsync(scheduled.TaskId, i => i.Status == TaskInstanceState.Completed);

        var due = Assert.Single(f.ConsumedTaskDue(scheduled.TaskId));
        Assert.Equal(1, due.Attempt);
        Assert.Equal(BusFixture.Start.AddSeconds(5), due.FireTime);
        Assert.Equal("ada@example.com", due.Metadata["to"]);
        Assert.Equal("{\"text\":\"stand up\"}", due.Payload);
        Assert.Equal(due.InstanceId, instance.Id);
        Assert.Equal(BusFixture.Start.AddSeconds(5), instance.CompletedAt);
        Assert.Equal(1, instance.Attempt);
    }

    /// <summary>The same with the worker's reports in batches (the default) and each alone (<see cref="global::Scheduler.MassTransit.Worker.TaskReportingOptions.BatchReports"/>
    /// off, for nodes older than the worker).</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task FailedAttempt_IsRetriedAfterBackoff_ThenCompletes(bool batchReports)
    {
        await using var f = await BusFixture.StartAsync(configure: x => x.Configure<global::Scheduler.MassTransit.Worker.TaskReportingOptions>(o => o.BatchReports = batchReports));
        var scheduled = Assert.IsType<TaskScheduled>(await f.ScheduleAsync(Once(TimeSpan.Zero, "fail-once") with
        {
            Retry = new RetryPolicy { MaxAttempts = 3, InitialBackoff = TimeSpan.FromSeconds(2), Jitter = false },
        }));

        var retrying = await f.WaitForInstanceAsync(scheduled.TaskId, i => i.Status == TaskInstanceState.Scheduled && i.Attempt == 1);
        Assert.Equal(BusFixture.Start.AddSeconds(2), retrying.DueAt); // failed at Start, backoff 2 s
        Assert.Contains("scripted failure of attempt 1", retrying.LastError, StringComparison.Ordinal);

        f.Time.Advance(TimeSpan.FromSeconds(2));
        var completed = await f.WaitForInstanceAsync(scheduled.TaskId, i => i.Status == TaskInstanceState.Completed);

        Assert.Equal([1, 2], f.ConsumedTaskDue(scheduled.TaskId).Select(d => d.Attempt));
        Assert.Equal(2, completed.Attempt);
        Assert.Equal(BusFixture.Start.AddSeconds(2), f.ConsumedTaskDue(scheduled.TaskId)[1].DueAt);
        var instanceId = completed.Id;
        Assert.Equal(batchReports, await f.Harness.Published.Any<TaskReportBatch>(m => m.Context.Message.Completed.Any(c => c.InstanceId == instanceId)));
        Assert.Equal(!batchReports, await f.Harness.Published.Any<TaskCompleted>(m => m.Context.Message.InstanceId == instanceId));
    }

    [Fact]
    public async Task LastFailedAttempt_MarksTheInstanceFailed_AndPublishesTaskDeadLettered()
    {
        await using var f = await BusFixture.StartAsync();
        var scheduled = Assert.IsType<TaskScheduled>(await f.ScheduleAsync(Once(TimeSpan.Zero, "fail-always") with
        {
            Retry = new RetryPolicy { MaxAttempts = 2, InitialBackoff = TimeSpan.FromSeconds(1), Jitter = false },
        }));

        await f.WaitForInstanceAsync(scheduled.TaskId, i => i.Status == TaskInstanceState.Scheduled && i.Attempt == 1);
        f.Time.Advance(TimeSpan.FromSeconds(1));
        var failed = await f.WaitForInstanceAsync(scheduled.TaskId, i => i.Status == TaskInstanceState.Failed);

        await BusFixture.Eventually(() => f.Recorder.Of<TaskDeadLettered>().Any(m => m.InstanceId == failed.Id && m.Attempt == 2));
        Assert.Equal(2, failed.Attempt);
        Assert.Null(failed.CompletedAt);
        Assert.Equal(BusFixture.Start.AddSeconds(1), failed.FailedAt);
    }

    [Fact]
    public async Task AttemptThatOutlivesExpireAfter_IsDispatchedAgainWithTheNextAttempt()
    {
        await using var f = await BusFixture.StartAsync(heartbeats: false); // a worker that hangs after its start without heartbeats, as a dead one
        var scheduled = Assert.IsType<TaskScheduled>(await f.ScheduleAsync(Once(TimeSpan.Zero, "hang-first") with
        {
            ExpireAfter = TimeSpan.FromSeconds(30),
        }));
        await f.WaitForInstanceAsync(scheduled.TaskId, i => i.Status == TaskInstanceState.Dispatched);
        await BusFixture.Eventually(() => f.ConsumedTaskDue(scheduled.TaskId).Any(d => d.Attempt == 1), "the handler of attempt 1 runs");

        // The worker reports the start once the handler has run a tenth of ExpireAfter (at most 1 s), counted from the handler's start.
        f.Time.Advance(TimeSpan.FromSeconds(1));
        var started = await f.WaitForInstanceAsync(scheduled.TaskId, i => i.StartedAt is not null);
        Assert.Equal(BusFixture.Start.AddSeconds(31), started.DueAt); // ExpireAfter counts from the start, not from the dispatch

        f.Time.Advance(TimeSpan.FromSeconds(30));
        var completed = await f.WaitForInstanceAsync(scheduled.TaskId, i => i.Status == TaskInstanceState.Completed);

        Assert.Equal([1, 2], f.ConsumedTaskDue(scheduled.TaskId).Select(d => d.Attempt));
        Assert.Equal(2, completed.Attempt);
    }

    [Fact]
    public async Task StaleReports_DoNotCorruptTheInstance()
    {
        await using var f = await BusFixture.StartAsync(heartbeats: false);
        var scheduled = Assert.IsType<TaskScheduled>(await f.ScheduleAsync(Once(TimeSpan.Zero, "hang-always") with
        {
            ExpireAfter = TimeSpan.FromSeconds(30),
        }));
        await f.WaitForInstanceAsync(scheduled.TaskId, i => i.Status == TaskInstanceState.Dispatched && i.Attempt == 1);
        await BusFixture.Eventually(() => f.ConsumedTaskDue(scheduled.TaskId).Any(d => d.Attempt == 1), "the handler of attempt 1 runs");
        f.Time.Advance(TimeSpan.FromSeconds(1)); // the start is reported a second after the handler started
        await f.WaitForInstanceAsync(scheduled.TaskId, i => i.StartedAt is not null);
        f.Time.Advance(TimeSpan.FromSeconds(30));
        var second = await f.WaitForInstanceAsync(scheduled.TaskId, i => i.Status == TaskInstanceState.Dispatched && i.Attempt == 2);

        // A late failure of attempt 1 must not schedule a retry while attempt 2 runs.
        await f.Harness.Bus.Publish(new TaskFailed
        {
            TaskId = scheduled.TaskId, InstanceId = second.Id, Attempt = 1, StartedAt = BusFixture.Start, FailedAt = BusFixture.Start,
            ExceptionType = "System.TimeoutException", Reason = "late",
        });
        await SagaProcessedAsync(f, second.Id, "late");
        var unchanged = (await f.Store.GetInstanceAsync(second.Id))!;
        Assert.Equal(TaskInstanceState.Dispatched, unchanged.Status);
        Assert.Equal(2, unchanged.Attempt);
        Assert.Null(unchanged.LastError);

        // A late completion of attempt 1 completes the instance: the work was done.
        await f.Harness.Bus.Publish(new TaskCompleted
        {
            TaskId = scheduled.TaskId, InstanceId = second.Id, Attempt = 1, StartedAt = BusFixture.Start, CompletedAt = BusFixture.Start.AddSeconds(31),
        });
        var completed = await f.WaitForInstanceAsync(scheduled.TaskId, i => i.Status == TaskInstanceState.Completed);
        Assert.Equal(BusFixture.Start.AddSeconds(31), completed.CompletedAt); // when the scheduler recorded it, on its clock
        Assert.Equal(BusFixture.Start.AddSeconds(31), completed.ReportedCompletedAt); // the worker's own time, kept beside it

        // And a failure after completion changes nothing.
        await f.Harness.Bus.Publish(new TaskFailed
        {
            TaskId = scheduled.TaskId, InstanceId = second.Id, Attempt = 2, StartedAt = BusFixture.Start, FailedAt = BusFixture.Start,
            ExceptionType = "System.Exception", Reason = "after completion",
        });
        await SagaProcessedAsync(f, second.Id, "after completion");
        Assert.Equal(TaskInstanceState.Completed, (await f.Store.GetInstanceAsync(second.Id))!.Status);
    }

    /// <summary>A worker's <see cref="TaskReportBatch"/> is decided report by report by the same state machine as the reports sent alone, and
    /// applied together: a completion completes, a failure schedules the retry, a stale failure of an older attempt changes nothing, and a
    /// report of an instance the store does not have is discarded, without faulting the batch.</summary>
    [Fact]
    public async Task ReportBatch_IsDecidedReportByReport_AsTheReportsAlone()
    {
        await using var f = await BusFixture.StartAsync(heartbeats: false);
        var first = Assert.IsType<TaskScheduled>(await f.ScheduleAsync(Once(TimeSpan.Zero, "hang-always")));
        var second = Assert.IsType<TaskScheduled>(await f.ScheduleAsync(Once(TimeSpan.Zero, "hang-always") with
        {
            Retry = new RetryPolicy { MaxAttempts = 3, InitialBackoff = TimeSpan.FromSeconds(10), Jitter = false },
        }));
        var completing = await f.WaitForInstanceAsync(first.TaskId, i => i.Status == TaskInstanceState.Dispatched && i.Attempt == 1);
        var failing = await f.WaitForInstanceAsync(second.TaskId, i => i.Status == TaskInstanceState.Dispatched && i.Attempt == 1);
        var unknown = Guid.NewGuid();

        await f.Harness.Bus.Publish(new TaskReportBatch
        {
            Completed =
            [
                new TaskCompleted { TaskId = first.TaskId, InstanceId = completing.Id, Attempt = 1, StartedAt = BusFixture.Start, CompletedAt = BusFixture.Start },
                new TaskCompleted { TaskId = Guid.NewGuid(), InstanceId = unknown, Attempt = 1, StartedAt = BusFixture.Start, CompletedAt = BusFixture.Start },
            ],
            Failed =
            [
                new TaskFailed
                {
                    TaskId = second.TaskId, InstanceId = failing.Id, Attempt = 1, StartedAt = BusFixture.Start, FailedAt = BusFixture.Start,
                    ExceptionType = "System.Exception", Reason = "in a batch",
                },
            ],
        });

        var completed = await f.WaitForInstanceAsync(first.TaskId, i => i.Status == TaskInstanceState.Completed);
        var retrying = await f.WaitForInstanceAsync(second.TaskId, i => i.Status == TaskInstanceState.Scheduled);
        Assert.Equal(1, completed.Attempt);
        Assert.Equal((1, "System.Exception: in a batch", BusFixture.Start.AddSeconds(10)), (retrying.Attempt, retrying.LastError, retrying.DueAt));

        // A stale failure (attempt 1 again, after its retry was scheduled) in the next batch changes nothing.
        await f.Harness.Bus.Publish(new TaskReportBatch
        {
            Failed =
            [
                new TaskFailed
                {
                    TaskId = second.TaskId, InstanceId = failing.Id, Attempt = 1, StartedAt = BusFixture.Start, FailedAt = BusFixture.Start,
                    ExceptionType = "System.Exception", Reason = "stale",
                },
            ],
        });
        var saga = SchedulerEndpoints.Default.TaskInstanceSaga;
        await BusFixture.Eventually(() => f.Processed.Any<TaskReportBatch>(saga, m => m.Failed.Any(r => r.Reason == "stale")), "the saga processes the second batch");
        Assert.False(f.Processed.AnyFault<TaskReportBatch>(saga, _ => true));
        var unchanged = (await f.Store.GetInstanceAsync(failing.Id))!;
        Assert.Equal((TaskInstanceState.Scheduled, 1, "System.Exception: in a batch"), (unchanged.Status, unchanged.Attempt, unchanged.LastError));
        Assert.Null(await f.Store.GetInstanceAsync(unknown));
    }

    /// <summary>Skipped is a final state of the saga (an instance its task's overlap policy did not run): a report on it, which only a stray or
    /// stale message can be, changes nothing and faults nothing.</summary>
    [Fact]
    public async Task ReportsOnASkippedInstance_ChangeNothing_AndFaultNothing()
    {
        await using var f = await BusFixture.StartAsync();
        var scheduled = Assert.IsType<TaskScheduled>(await f.ScheduleAsync(Once(TimeSpan.FromHours(1))));
        var skipped = new TaskInstance
        {
            Id = Guid.NewGuid(), DefinitionId = scheduled.TaskId, FireTime = BusFixture.Start, Status = TaskInstanceState.Skipped,
            ExpireAfter = TimeSpan.FromMinutes(1), Retry = RetryPolicy.Default, LastError = "skipped", FinishedAt = BusFixture.Start,
        };
        Assert.True((await f.Store.AddInstanceAsync(skipped)).Added);

        await f.Harness.Bus.Publish(new TaskFailed
        {
            TaskId = scheduled.TaskId, InstanceId = skipped.Id, Attempt = 1, StartedAt = BusFixture.Start, FailedAt = BusFixture.Start,
            ExceptionType = "System.Exception", Reason = "stray",
        });
        await f.Harness.Bus.Publish(new TaskCompleted
        {
            TaskId = scheduled.TaskId, InstanceId = skipped.Id, Attempt = 1, StartedAt = BusFixture.Start, CompletedAt = BusFixture.Start,
        });
        await SagaProcessedAsync(f, skipped.Id, "stray");
        var saga = SchedulerEndpoints.Default.TaskInstanceSaga;
        await BusFixture.Eventually(() => f.Processed.Any<TaskCompleted>(saga, m => m.InstanceId == skipped.Id), "the saga processes the TaskCompleted");

        Assert.False(f.Processed.AnyFault<TaskFailed>(saga, m => m.InstanceId == skipped.Id));
        Assert.False(f.Processed.AnyFault<TaskCompleted>(saga, m => m.InstanceId == skipped.Id));
        var unchanged = (await f.Store.GetInstanceAsync(skipped.Id))!;
        Assert.Equal((TaskInstanceState.Skipped, "skipped"), (unchanged.Status, unchanged.LastError));
    }

    /// <summary>Waits until the task instance saga has finished with the <see cref="TaskFailed"/> of <paramref name="instanceId"/> with
    /// <paramref name="reason"/> (its store write included): whatever it does to the instance is done then.</summary>
    private static Task SagaProcessedAsync(BusFixture f, Guid instanceId, string reason) =>
        BusFixture.Eventually(() => f.Processed.Any<TaskFailed>(SchedulerEndpoints.Default.TaskInstanceSaga, m => m.InstanceId == instanceId && m.Reason == reason),
            $"the saga processes the TaskFailed '{reason}'");

    [Fact]
    public async Task CronTask_FiresEveryOccurrence()
    {
        await using var f = await BusFixture.StartAsync();
        var scheduled = Assert.IsType<TaskScheduled>(await f.ScheduleAsync(new ScheduleTask
        {
            Trigger = "*/5 * * * * *", Overlap = OverlapPolicy.AllowAll, ExpireAfter = TimeSpan.FromHours(1), // no re-dispatch however far the clock moves
        }));

        var polls = 0;
        for (var consumed = 2; consumed <= 4; consumed++)
        {
            // The fake clock moves in 1 s steps until the next occurrence is consumed: a single 5 s jump can land between a loop reading the
            // clock and arming its timer, which would then wait 5 s more on a clock that nothing moves.
            var wanted = consumed;
            await BusFixture.Eventually(() =>
            {
                if (f.ConsumedTaskDue(scheduled.TaskId).Count >= wanted)
                {
                    return true;
                }

                if (++polls % 10 == 0)
                {
                    f.Time.Advance(TimeSpan.FromSeconds(1)); // about every 100 ms of wall time, so the loops keep up with the clock
                }

                return false;
            });
        }

        await BusFixture.Eventually(() => f.ConsumedTaskDue(scheduled.TaskId).Count >= 4);
        var fireTimes = f.ConsumedTaskDue(scheduled.TaskId).Select(d => (d.FireTime - BusFixture.Start).TotalSeconds).Order().Take(4);
        Assert.Equal([0.0, 5, 10, 15], fireTimes);
    }

    [Fact]
    public async Task CancelTask_StopsACronTask()
    {
        await using var f = await BusFixture.StartAsync();
        var scheduled = Assert.IsType<TaskScheduled>(await f.ScheduleAsync(new ScheduleTask { Trigger = "0 * * * *" }));
        var client = f.Harness.GetRequestClient<CancelTask>();

        var response = await client.GetResponse<TaskCancelled>(new CancelTask { TaskId = scheduled.TaskId });

        Assert.True(response.Message.Found);
        Assert.Null((await f.Store.GetDefinitionAsync(scheduled.TaskId))!.NextFireTime);
    }
}
