using System.Globalization;
using Npgsql;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Xunit.Abstractions;

namespace Scheduler.IntegrationTests.Bus;

/// <summary>Issue #3, item 1: a task scheduled over RabbitMQ reaches a separate worker service and is completed through the saga in PostgreSQL.</summary>
public sealed class ScheduleToCompletionTests(BusEnvironmentFixture environment, ITestOutputHelper output) : BusTest(output), IClassFixture<BusEnvironmentFixture>
{
    [Fact]
    public async Task ScheduleTask_IsConsumedByAnotherService_AndCompletedAtIsWrittenThroughTheSaga()
    {
        await using var bus = new BusServices(environment, Output);
        var client = await bus.StartNodeWorkerAndClientAsync();
        var fireTime = Once.FromNow(TimeSpan.FromSeconds(1));

        var scheduled = await BusServices.ScheduleAsync(client, Once.At(fireTime) with
        {
            Metadata = new Dictionary<string, string> { ["to"] = "ada@example.com" },
            Payload = "{\"text\":\"stand up\"}",
        });
        var completed = await bus.WaitForInstanceAsync(scheduled.TaskId, i => i.Status == TaskInstanceState.Completed, "the instance completes");

        Assert.Equal(fireTime, scheduled.NextFireTime);
        var receipt = Assert.Single(bus.Recorder.Receipts(scheduled.TaskId));
        Assert.Equal("worker-a", receipt.Worker);
        Assert.Equal(completed.Id, receipt.Message.InstanceId);
        Assert.Equal(1, receipt.Message.Attempt);
        Assert.Equal(fireTime, receipt.Message.FireTime);
        Assert.Equal("ada@example.com", receipt.Message.Metadata["to"]);
        Assert.Equal("{\"text\":\"stand up\"}", receipt.Message.Payload);
        Assert.True(receipt.ReceivedAt >= fireTime, $"received at {receipt.ReceivedAt:O}, before the fire time {fireTime:O}");
        Assert.Equal("node-a", Assert.Single(bus.Ledger.Of(completed.Id)).NodeId);

        // The row itself, as an operator would read it.
        await using var connection = new NpgsqlConnection(environment.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT status, attempt, completed_at, finished_at, lease_owner, due_at FROM task_instances WHERE definition_id = @id", connection);
        command.Parameters.AddWithValue("id", scheduled.TaskId);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal((int)TaskInstanceState.Completed, reader.GetInt32(0));
        Assert.Equal(1, reader.GetInt32(1));
        var completedAt = reader.GetFieldValue<DateTimeOffset>(2);
        Assert.True(completedAt >= fireTime, $"completed_at {completedAt:O} is before the fire time {fireTime:O}");
        Assert.Equal(completedAt, reader.GetFieldValue<DateTimeOffset>(3));
        Assert.True(reader.IsDBNull(4), "the lease is cleared");
        Assert.True(reader.IsDBNull(5), "a completed instance is due no more");
        Assert.False(await reader.ReadAsync(), "one instance for an execute-once task");
    }
}

/// <summary>Execute-once commands at whole-millisecond instants (PostgreSQL keeps microseconds; these round-trip exactly).</summary>
internal static class Once
{
    public static DateTimeOffset FromNow(TimeSpan offset)
    {
        var at = TimeProvider.System.GetUtcNow() + offset;
        return new DateTimeOffset(at.Ticks - (at.Ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
    }

    public static ScheduleTask At(DateTimeOffset fireTime) => new()
    {
        TaskId = Guid.NewGuid(),
        Trigger = fireTime.ToString("O", CultureInfo.InvariantCulture),
        TriggerKind = TriggerKind.Once,
        DestinationQueue = BusServices.WorkerQueue,
    };

    public static ScheduleTask Scripted(DateTimeOffset fireTime, string behavior) =>
        At(fireTime) with { Metadata = new Dictionary<string, string> { ["behavior"] = behavior } };
}
