using MassTransit;
using Scheduler.Contracts;

namespace Reminders;

/// <summary>The worker side: runs a reminder when it is due. The reminder named "flaky" fails on its first attempt to show the retry.</summary>
public sealed class ReminderConsumer(TimeProvider timeProvider, Console console) : IConsumer<TaskDue>
{
    public Task Consume(ConsumeContext<TaskDue> context)
    {
        var due = context.Message;
        var lateness = timeProvider.GetUtcNow() - due.DueAt;
        var name = due.Metadata.GetValueOrDefault("reminder", "?");
        console.Fired(name, due, lateness);
        if (due.Metadata.ContainsKey("fail-first-attempt") && due.Attempt == 1)
        {
            throw new InvalidOperationException($"Simulated failure of '{name}' on attempt 1; the scheduler retries it.");
        }

        return Task.CompletedTask;
    }
}

/// <summary>Prints the scheduler's replies and the outcome events, as any service on the bus could.</summary>
public sealed class OutcomePrinter(Console console) :
    IConsumer<TaskScheduled>, IConsumer<TaskRejected>, IConsumer<TaskReportBatch>, IConsumer<TaskDeadLettered>
{
    public Task Consume(ConsumeContext<TaskScheduled> context)
    {
        console.Scheduled(context.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<TaskRejected> context)
    {
        console.Line($"[rejected]  {context.Message.Reason}");
        return Task.CompletedTask;
    }

    // Workers report the outcomes of their attempts together, in a TaskReportBatch.
    public Task Consume(ConsumeContext<TaskReportBatch> context)
    {
        foreach (var completed in context.Message.Completed)
        {
            console.Line($"[completed] {console.NameOf(completed.TaskId),-8} attempt {completed.Attempt}, took {(completed.CompletedAt - completed.StartedAt).TotalMilliseconds:F1} ms");
        }

        foreach (var failed in context.Message.Failed)
        {
            console.Line($"[failed]    {console.NameOf(failed.TaskId),-8} attempt {failed.Attempt}: {failed.Reason}");
        }

        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<TaskDeadLettered> context)
    {
        console.Line($"[dead]      {console.NameOf(context.Message.TaskId),-8} after attempt {context.Message.Attempt}: {context.Message.Reason}");
        return Task.CompletedTask;
    }
}
