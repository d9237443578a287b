using System.CommandLine;
using System.Globalization;
using Scheduler.Contracts;

namespace Scheduler.Cli.Admin;

/// <summary><c>scheduler instances show &lt;instanceId&gt;</c>: one instance and its attempt history.</summary>
internal static partial class AdminCommands
{
    private static Command ShowInstance(TextWriter output, TextWriter error, Option<string> url, Option<string?> apiKey, Option<bool> json,
        Argument<Guid> instanceId)
    {
        var show = new Command("show", "Show an instance and its attempt history: each attempt's node, worker, times, duration, outcome and error.")
        {
            instanceId,
        };
        show.SetAction((result, ct) => CallAsync(result, url, apiKey, error, async client =>
        {
            var (entry, body) = await client.SendAsync<Core.Runtime.TaskInstanceEntry>(HttpMethod.Get, $"instances/{result.GetValue(instanceId)}", ct)
                .ConfigureAwait(false);
            Print(result.GetValue(json), body, output, () => WriteAttempts(output, entry.TaskId, entry.Instance));
        }));
        return show;
    }

    private static void WriteAttempts(TextWriter output, Guid taskId, TaskInstanceInfo i)
    {
        output.WriteLine($"instance {i.InstanceId} of task {taskId}: {i.State}, attempt {i.Attempt}/{i.MaxAttempts}, fire time {Time(i.FireTime)}" +
                         (i.LastError is { } last ? $", last error: {last}" : ""));
        TextTable.Write(output, ["ATTEMPT", "CLAIMED BY", "CLAIMED (UTC)", "DISPATCHED (UTC)", "STARTED (UTC)", "FINISHED (UTC)", "DURATION", "OUTCOME", "WORKER", "ERROR"],
            i.Attempts.Select(a => new[]
            {
                a.Attempt.ToString(CultureInfo.InvariantCulture), a.ClaimedBy ?? "", Time(a.ClaimedAt), Time(a.DispatchedAt), Time(a.StartedAt), Time(a.FinishedAt),
                a.Duration is { } d ? $"{d.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s" : "",
                a.Outcome?.ToString() ?? (a.ClaimedAt is null ? "" : "running"), a.Worker ?? "", a.Error ?? "",
            }));
    }
}
