using MassTransit;
using Scheduler.Contracts;

namespace Scheduler.MassTransit.Tests;

/// <summary>Commands that arrive together are stored together (batched <see cref="ScheduleTask"/> intake, bulk <see cref="ScheduleTasks"/>),
/// and every command or task is still answered on its own.</summary>
public class BatchedIntakeTests
{
    private static ScheduleTask Valid(string key) => new() { Trigger = "0 9 * * *", IdempotencyKey = key };

    [Fact]
    public async Task ConcurrentScheduleTaskRequests_AreEachAnsweredWithTheirOwnReply_AndStoredOnce()
    {
        await using var f = await BusFixture.StartAsync();
        var client = f.Harness.GetRequestClient<ScheduleTask>();

        // Every tenth command is invalid: its rejection must reach its own requester, and not keep the others of its batch from being stored.
        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(n => client.GetResponse<TaskScheduled, TaskRejected>(
            n % 10 == 0 ? Valid($"req-{n}") with { Trigger = "*/5 * * *" } : Valid($"req-{n}"))));

        var scheduled = new HashSet<Guid>();
        for (var n = 0; n < responses.Length; n++)
        {
            if (n % 10 == 0)
            {
                Assert.True(responses[n].Is(out Response<TaskRejected>? rejected), $"request {n} is rejected");
                Assert.Equal($"req-{n}", rejected!.Message.IdempotencyKey);
                Assert.Contains("has 4 fields", rejected.Message.Reason, StringComparison.Ordinal);
                Assert.Null(await f.Store.GetDefinitionAsync(rejected.Message.TaskId!.Value));
                continue;
            }

            Assert.True(responses[n].Is(out Response<TaskScheduled>? reply), $"request {n} is scheduled");
            Assert.Equal($"req-{n}", reply!.Message.IdempotencyKey);
            Assert.False(reply.Message.AlreadyScheduled);
            Assert.True(scheduled.Add(reply.Message.TaskId), $"request {n} got a task id of its own");
            var stored = await f.Store.GetDefinitionAsync(reply.Message.TaskId);
            Assert.Equal($"req-{n}", stored!.IdempotencyKey);
        }

        Assert.Equal(180, scheduled.Count);
    }

    [Fact]
    public async Task ScheduleTasks_WithValidAndInvalidTasks_IsAnsweredPerTaskInOrder()
    {
        await using var f = await BusFixture.StartAsync();
        var client = f.Harness.GetRequestClient<ScheduleTasks>();
        var messageId = Guid.NewGuid();
        var namedId = Guid.NewGuid();
        var command = new ScheduleTasks
        {
            Tasks =
            [
                Valid("first"),
                new ScheduleTask { Trigger = "*/5 * * *" },
                new ScheduleTask { Trigger = "0 10 * * *", TaskId = namedId },
                Valid("first") with { Trigger = "0 11 * * *" },
                new ScheduleTask { Trigger = null! },
                new ScheduleTask { Trigger = "* * * * *", TimeZone = "Europe/Atlantis" },
            ],
        };

        var response = await client.GetResponse<TasksScheduled, TasksRejected>(command, x => x.UseExecute(c => c.MessageId = messageId));

        Assert.True(response.Is(out Response<TasksScheduled>? reply));
        var results = reply!.Message.Results;
        Assert.Equal(6, results.Count);
        var first = results[0].Scheduled!;
        Assert.Equal(ScheduleTasks.DerivedTaskId(messageId, 0), first.TaskId);
        Assert.False(first.AlreadyScheduled);
        Assert.Equal(new DateTimeOffset(2025, 1, 2, 9, 0, 0, TimeSpan.Zero), first.NextFireTime);
        Assert.Null(results[0].Rejected);

        Assert.Null(results[1].Scheduled);
        Assert.Equal(ScheduleTasks.DerivedTaskId(messageId, 1), results[1].Rejected!.TaskId);
        Assert.Contains("has 4 fields", results[1].Rejected!.Reason, StringComparison.Ordinal);

        Assert.Equal(namedId, results[2].Scheduled!.TaskId);
        // The same idempotency key with another trigger is refused, naming the field: a change is never dropped silently (issue #8).
        Assert.Null(results[3].Scheduled);
        Assert.Contains("IdempotencyKey 'first' is already scheduled with a different Trigger", results[3].Rejected!.Reason, StringComparison.Ordinal);
        Assert.Contains("Trigger is missing", results[4].Rejected!.Reason, StringComparison.Ordinal);
        Assert.Contains("Unknown time zone 'Europe/Atlantis'", results[5].Rejected!.Reason, StringComparison.Ordinal);

        Assert.NotNull(await f.Store.GetDefinitionAsync(first.TaskId));
        Assert.NotNull(await f.Store.GetDefinitionAsync(namedId));
        foreach (var rejected in new[] { 1, 3, 4, 5 })
        {
            Assert.Null(await f.Store.GetDefinitionAsync(ScheduleTasks.DerivedTaskId(messageId, rejected)));
        }
    }

    [Fact]
    public async Task ScheduleTasks_IsRejectedAsAWhole_WhenItHasNoTasksOrTooMany()
    {
        await using var f = await BusFixture.StartAsync();
        var client = f.Harness.GetRequestClient<ScheduleTasks>();
        var messageId = Guid.NewGuid();
        var tooMany = new ScheduleTasks { Tasks = Enumerable.Range(0, ScheduleTasks.MaxTasks + 1).Select(_ => Valid("x") with { IdempotencyKey = null }).ToList() };

        var empty = await client.GetResponse<TasksScheduled, TasksRejected>(new ScheduleTasks { Tasks = [] });
        var oversized = await client.GetResponse<TasksScheduled, TasksRejected>(tooMany, x => x.UseExecute(c => c.MessageId = messageId));

        Assert.True(empty.Is(out Response<TasksRejected>? emptyRejected));
        Assert.Equal(0, emptyRejected!.Message.TaskCount);
        Assert.Contains("has no tasks", emptyRejected.Message.Reason, StringComparison.Ordinal);
        Assert.True(oversized.Is(out Response<TasksRejected>? oversizedRejected));
        Assert.Equal(10_001, oversizedRejected!.Message.TaskCount);
        Assert.Contains("has 10,001 tasks, more than 10,000", oversizedRejected.Message.Reason, StringComparison.Ordinal);
        Assert.Null(await f.Store.GetDefinitionAsync(ScheduleTasks.DerivedTaskId(messageId, 0)));
        Assert.Null(await f.Store.GetDefinitionAsync(ScheduleTasks.DerivedTaskId(messageId, 10_000)));
    }

    [Fact]
    public async Task RedeliveredScheduleTasks_WithTheSameMessageId_StoresNothingTwice()
    {
        await using var f = await BusFixture.StartAsync();
        var messageId = Guid.NewGuid();
        var command = new ScheduleTasks { Tasks = Enumerable.Range(0, 50).Select(_ => new ScheduleTask { Trigger = "0 9 * * *" }).ToList() };

        await f.Harness.Bus.Publish(command, c => c.MessageId = messageId);
        await f.Harness.Bus.Publish(command, c => c.MessageId = messageId);

        await BusFixture.Eventually(() => f.Recorder.Of<TasksScheduled>().Count() == 2, "both deliveries are answered (published)");
        var replies = f.Recorder.Of<TasksScheduled>().ToList();
        var expectedIds = Enumerable.Range(0, 50).Select(i => ScheduleTasks.DerivedTaskId(messageId, i)).ToList();
        Assert.All(replies, r => Assert.Equal(expectedIds, r.Results.Select(x => x.Scheduled!.TaskId)));
        for (var i = 0; i < expectedIds.Count; i++)
        {
            Assert.Single(replies, r => !r.Results[i].Scheduled!.AlreadyScheduled);
            Assert.NotNull(await f.Store.GetDefinitionAsync(expectedIds[i]));
        }
    }

    [Theory]
    [InlineData(0, "6af613b6-569c-5c22-9c37-2ed93f31d3af")]
    [InlineData(12345, "08d517c3-ac51-54e8-9036-a65fc977ab11")]
    public void DerivedTaskId_IsTheVersion5UuidOfTheIndexInTheMessageIdNamespace(int index, string expected)
    {
        // Known answers from another RFC 9562 implementation (Python's uuid.uuid5) for the DNS namespace id of the RFC's examples.
        var messageId = Guid.Parse("6ba7b810-9dad-11d1-80b4-00c04fd430c8");

        var id = ScheduleTasks.DerivedTaskId(messageId, index);

        Assert.Equal(Guid.Parse(expected), id);
        Assert.Equal(5, id.Version);
    }
}
