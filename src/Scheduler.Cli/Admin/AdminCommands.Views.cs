using Scheduler.Core.Runtime;

namespace Scheduler.Cli.Admin;

/// <summary><c>scheduler tasks list --recurring</c>: the recurring tasks view of the admin API (GET tasks/recurring).</summary>
internal static partial class AdminCommands
{
    // One page of the recurring tasks view as a table (or its JSON); the token of the next page on the error stream, as `tasks list` does.
    private static async Task ListRecurringAsync(AdminClient client, string query, bool json, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var (page, body) = await client.SendAsync<RecurringTaskList>(HttpMethod.Get, "tasks/recurring" + query, ct).ConfigureAwait(false);
        Print(json, body, output, () => TextTable.Write(output,
            ["TASK", "STATE", "NEXT FIRE (UTC)", "TRIGGER", "EXPLANATION", "ZONE", "LAST OUTCOME"],
            page.Tasks.Select(r => new[]
            {
                r.Task.TaskId.ToString(), r.Task.State.ToString(), Time(r.Task.NextFireTime), r.Task.Trigger, r.Explanation, r.Task.TimeZone,
                r.LastOutcome is { } last ? $"{last.State} {Time(last.FinishedAt)}" : "",
            })));
        if (page.NextPageToken is { } next && !json)
        {
            error.WriteLine($"More tasks: add --page-token {next}");
        }
    }
}
