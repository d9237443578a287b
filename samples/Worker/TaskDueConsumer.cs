using System.Globalization;
using MassTransit;
using Scheduler.Contracts;
using Scheduler.MassTransit.Worker;

namespace Worker;

/// <summary>
/// Runs a due task: prints it and, per <see cref="WorkerSettings"/>, works for a while (heartbeating as it goes) and fails a share of attempts. <c>AddTaskReporting</c> turns the
/// return into <see cref="TaskCompleted"/> and the exception into <see cref="TaskFailed"/>, so the scheduler records or retries the instance.
/// </summary>
public sealed class TaskDueConsumer(TimeProvider timeProvider, WorkerSettings settings) : IConsumer<TaskDue>
{
    public async Task Consume(ConsumeContext<TaskDue> context)
    {
        var due = context.Message;
        var received = timeProvider.GetUtcNow();
        var lateness = received - due.DueAt;
        var metadata = due.Metadata.Count == 0 ? "-" : string.Join(' ', due.Metadata.Select(m => $"{m.Key}={m.Value}"));
        Print(string.Create(CultureInfo.InvariantCulture,
            $"[{settings.Name}] task {due.TaskId} instance {due.InstanceId} attempt {due.Attempt}/{due.MaxAttempts} due {due.DueAt.UtcDateTime:HH:mm:ss.fff}Z lateness {lateness.TotalMilliseconds:F1} ms meta {metadata}"));

        // A task's metadata "delay" (e.g. 00:01:00) overrides Worker:HandlerDelay for it: one long job among short ones.
        var delay = due.Metadata.TryGetValue("delay", out var text) && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var own)
            ? own
            : settings.HandlerDelay;
        if (delay > TimeSpan.Zero)
        {
            // A long handler: the work in ten steps, each followed by a heartbeat, so the scheduler keeps the attempt alive however long
            // it takes (AddTaskReporting also beats every ExpireAfter / 3 on its own while the handler runs, and sends at most one every
            // ExpireAfter / 10 however often the handler asks).
            for (var step = 1; step <= 10; step++)
            {
                await Task.Delay(delay / 10, timeProvider, context.CancellationToken);
                await context.ReportHeartbeatAsync(context.CancellationToken);
            }
        }

        if (settings.FailureRate > 0 && Random.Shared.NextDouble() < settings.FailureRate)
        {
            var reason = string.Create(CultureInfo.InvariantCulture, $"Simulated failure on attempt {due.Attempt} (Worker:FailureRate {settings.FailureRate}).");
            Print($"[{settings.Name}] task {due.TaskId} attempt {due.Attempt} failed: {reason}");
            throw new InvalidOperationException(reason);
        }

        Print(string.Create(CultureInfo.InvariantCulture,
            $"[{settings.Name}] done task {due.TaskId} instance {due.InstanceId} attempt {due.Attempt} in {(timeProvider.GetUtcNow() - received).TotalMilliseconds:F1} ms"));
    }

    private static void Print(string line) => Console.WriteLine(line);
}
