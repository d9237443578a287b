using Xunit.Abstractions;

namespace Scheduler.FaultTests;

/// <summary>Issue #8: a few tasks whose destination queue the broker refuses, among a thousand good ones.</summary>
public sealed class PoisonedDestinationTests(ITestOutputHelper output)
{
    /// <summary>Queue names RabbitMQ refuses: a reserved prefix (403 access refused), a path, and one over its 255-byte limit.</summary>
    private static readonly string[] PoisonedQueues = ["amq.bad", "bad/../queue", new string('q', 256)];

    /// <remarks>
    /// The poisoned destinations are written into the task definitions directly (the nodes will refuse them when a task is scheduled, so they
    /// are scheduled with a good placeholder and changed before they are claimed): what a database from an older version, or a hand edit,
    /// may hold. Every good task completes, unaffected; each poisoned one uses up its attempts and is dead-lettered with a reason.
    /// </remarks>
    [Fact]
    public async Task PoisonedDestinations_AreDeadLetteredWithAReason_AndEveryGoodTaskCompletes()
    {
        await using var system = await FaultSystem.StartAsync(output);
        var first = FaultSystem.Now + TimeSpan.FromSeconds(20);
        var poisonedDue = first + TimeSpan.FromSeconds(10);
        var poisoned = PoisonedQueues.Select((_, i) => FaultSystem.NewTask(poisonedDue.AddMilliseconds(i)) with { DestinationQueue = $"faults-placeholder-{i}" }).ToList();
        var good = FaultSystem.Tasks(1000, first, TimeSpan.FromSeconds(40));
        var taskIds = await system.ScheduleAsync([.. poisoned, .. good]);
        var poisonedIds = taskIds.Take(poisoned.Count).ToList();
        var goodIds = taskIds.Skip(poisoned.Count).ToList();

        await using (var connection = await system.Database.OpenAsync())
        {
            for (var i = 0; i < poisonedIds.Count; i++)
            {
                await using var command = new Npgsql.NpgsqlCommand(
                    "UPDATE task_definitions SET destination_queue = @queue WHERE id = @id AND NOT EXISTS (SELECT 1 FROM task_instances WHERE definition_id = @id)",
                    connection);
                command.Parameters.AddWithValue("queue", PoisonedQueues[i]);
                command.Parameters.AddWithValue("id", poisonedIds[i]);
                Assert.Equal(1, await command.ExecuteNonQueryAsync()); // before any instance exists, so the claim reads the poisoned name
            }
        }

        system.Log($"destination queues of {poisonedIds.Count} tasks due {poisonedDue:HH:mm:ss.fff} poisoned: {string.Join(", ", PoisonedQueues.Select(q => q.Length > 20 ? $"{q[..8]}... ({q.Length} chars)" : q))}");
        await system.WaitUntilFinalAsync(taskIds, first + TimeSpan.FromSeconds(40));
        var nothing = FaultAllowance.Nothing("nothing: no process fails");
        var poisonedSet = poisonedIds.ToHashSet();
        await FaultVerdict.VerifyAsync(system, new FaultExpectation("poisoned destinations (3 among 1,000)", goodIds, poisonedDue, poisonedDue, nothing)
        {
            DeadLettered = poisonedIds,
            // Provoked on purpose: each refused dispatch of a poisoned task, and its dead letter, is logged at Warning naming the task; nothing else.
            ExpectedWarning = w => poisonedSet.Any(id => w.Message.Contains(id.ToString(), StringComparison.Ordinal))
                || (w.Category.EndsWith("RunnerLoop", StringComparison.Ordinal) && w.Message.Contains("was refused", StringComparison.Ordinal)),
        }, output);
    }
}
