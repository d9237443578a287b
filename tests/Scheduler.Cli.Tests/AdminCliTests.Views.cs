using System.Text.Json;
using Scheduler.Contracts;
using Scheduler.TestSupport;

namespace Scheduler.Cli.Tests;

/// <summary>Issue #20, item 3 (views): <c>scheduler tasks list --recurring</c>.</summary>
public sealed partial class AdminCliTests
{
    [Fact]
    public async Task TasksListRecurring_PrintsRecurringTasksExplained_WithNextFireTime_NotOneOffs()
    {
        await using var node = await AdminTestNode.StartAsync();
        var weekdays = await ScheduleAsync(node, "0 9 * * 1-5", "acme");
        var once = await ScheduleAsync(node, "2099-01-01T00:00:00Z", "acme");
        var phrase = await ScheduleAsync(node, "every 10 minutes", "globex");
        var next = (await node.Scheduling.GetDetailAsync(weekdays, 1))!.NextFireTime!.Value;

        var table = await RunAsync(node, "tasks", "list", "--recurring");
        var paged = await RunAsync(node, "tasks", "list", "--recurring", "--page-size", "1");
        var json = await RunAsync(node, "tasks", "list", "--recurring", "--json", "--meta", "tenant=globex");

        Assert.Equal((0, ""), (table.ExitCode, table.Error));
        Assert.Equal(["TASK", "STATE", "NEXT", "FIRE", "(UTC)", "TRIGGER", "EXPLANATION", "ZONE", "LAST", "OUTCOME"],
            table.Output[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(3, table.Output.Length);
        Assert.DoesNotContain(table.Output, l => l.StartsWith(once.ToString(), StringComparison.Ordinal));
        Assert.Contains(table.Output, l => l.StartsWith(weekdays.ToString(), StringComparison.Ordinal) && l.Contains("every weekday at 9am", StringComparison.Ordinal)
            && l.Contains(next.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            && l.Contains("Europe/Berlin", StringComparison.Ordinal));
        Assert.Contains(table.Output, l => l.StartsWith(phrase.ToString(), StringComparison.Ordinal) && l.Contains("every 10 minutes", StringComparison.Ordinal));
        Assert.Equal(2, paged.Output.Length);
        Assert.StartsWith("More tasks: add --page-token ", paged.Error, StringComparison.Ordinal);
        var page = JsonDocument.Parse(string.Join('\n', json.Output)).RootElement;
        Assert.Equal(1, page.GetProperty("tasks").GetArrayLength());
        Assert.Equal(phrase, page.GetProperty("tasks")[0].GetProperty("task").GetProperty("taskId").GetGuid());
        Assert.Equal("every 10 minutes", page.GetProperty("tasks")[0].GetProperty("explanation").GetString());
    }
}
