using System.Globalization;
using MassTransit;
using Scheduler.Contracts;

namespace Worker;

/// <summary>
/// Runs a due task: prints it and, per <see cref="WorkerSettings"/>, waits and fails a share of attempts. <c>AddTaskReporting</c> turns the
/// return into <see cref="TaskCompleted"/> and the exception into <see cref="TaskFailed"/>, so the scheduler records or retries the instance.
/// </summary>
public sealed class TaskDueConsumer(TimeProvider timeProvider, WorkerSettings settings) : IConsumer<TaskDue>
{
    public async Task Consume(ConsumeContext<TaskDue> context)
    {
        var due = context.Message;
        var lateness = timeProvider.GetUtcNow() - due.DueAt;
        var metadata = due.Metadata.Count == 0 ? "-" : string.Join(' ', due.Metadata.Select(m => $"{m.Key}={m.Value}"));
        Print(string.Create(CultureInfo.InvariantCulture,
            $"[{settings.Name}] task {due.TaskId} instance {due.InstanceId} attempt {due.Attempt}/{due.MaxAttempts} due {due.DueAt.UtcDateTime:HH:mm:ss.fff}Z lateness {lateness.TotalMilliseconds:F1} ms meta {metadata}"));

        if (settings.HandlerDelay > TimeSpan.Zero)
        {
            await Task.Delay(settings.HandlerDelay, timeProvider, context.CancellationToken);
        }

        if (settings.FailureRate > 0 && Random.Shared.NextDouble() < settings.FailureRate)
        {
            var reason = string.Create(CultureInfo.InvariantCulture, $"Simulated failure on attempt {due.Attempt} (Worker:FailureRate {settings.FailureRate}).");
            Print($"[{settings.Name}] task {due.TaskId} attempt {due.Attempt} failed: {reason}");
            throw new InvalidOperationException(reason);
        }
    }

    private static void Print(string line) => Console.WriteLine(line);
}
