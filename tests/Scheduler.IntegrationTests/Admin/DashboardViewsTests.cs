using Microsoft.Playwright;
using Scheduler.Contracts;
using Scheduler.Core.Storage;
using Scheduler.TestSupport;

namespace Scheduler.IntegrationTests.Admin;

/// <summary>
/// Issue #20, item 3 (views) in a real headless Chromium over a node's admin API (an in-memory node on a loopback port): the recurring tasks
/// view, with a screenshot of it for docs/running.md.
/// </summary>
public sealed class DashboardViewsTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Dashboard_ShowsRecurringTasks_Explained_WithNextFireTimeAndLastOutcome_NotOneOffs()
    {
        await using var node = await AdminTestNode.StartAsync();
        var standup = await ScheduleAsync(node, "0 9 * * 1-5", "Europe/Berlin");
        var once = await ScheduleAsync(node, "2099-01-01T00:00:00Z", "UTC");
        var backup = await ScheduleAsync(node, "FREQ=WEEKLY;BYDAY=SU;BYHOUR=3;BYMINUTE=0;BYSECOND=0", "America/New_York");
        var digest = await ScheduleAsync(node, "every other tuesday at 9:34am", "Europe/London");
        await node.Scheduling.PauseAsync(digest.TaskId);
        // The standup's last occurrence dead-lettered: its error is the outcome's tooltip.
        var now = TimeProvider.System.GetUtcNow();
        var failed = new Scheduler.Core.Definitions.TaskInstance
        {
            Id = Guid.CreateVersion7(), DefinitionId = standup.TaskId, FireTime = now.AddDays(-1), Status = TaskInstanceState.Dispatched, Attempt = 1,
            DueAt = now.AddHours(1), ExpireAfter = TimeSpan.FromHours(2), Retry = RetryPolicy.None, DispatchedAt = now.AddDays(-1),
        };
        Assert.True((await node.Store.AddInstanceAsync(failed)).Added);
        Assert.Equal([true], await node.Store.ApplyOutcomesAsync([new InstanceOutcome(failed.Id, 1, OutcomeKind.DeadLettered, now) { Error = "System.TimeoutException: the mail server did not answer" }]));

        await using var browser = await DashboardBrowser.OpenAsync(Generous);
        var (page, errors) = (browser.Page, browser.Errors);
        await page.GotoAsync(node.DashboardUri.ToString());
        await page.WaitForSelectorAsync("body[data-loaded=true]");

        var rows = page.Locator("#recurring tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator($"#recurring tr[data-recurring-task-id='{once.TaskId}']")).ToHaveCountAsync(0);
        var standupRow = page.Locator($"#recurring tr[data-recurring-task-id='{standup.TaskId}']");
        await Assertions.Expect(standupRow.Locator("td.trigger")).ToHaveTextAsync("0 9 * * 1-5");
        await Assertions.Expect(standupRow.Locator("td.explanation")).ToHaveTextAsync("every weekday at 9am");
        await Assertions.Expect(standupRow).ToContainTextAsync("Europe/Berlin");
        var next = standup.NextFireTime!.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        await Assertions.Expect(standupRow.Locator("td.next-fire")).ToContainTextAsync(next);
        await Assertions.Expect(standupRow.Locator("td.last-outcome")).ToContainTextAsync("Failed");
        await Assertions.Expect(standupRow.Locator("td.last-outcome")).ToHaveAttributeAsync("title", "System.TimeoutException: the mail server did not answer");
        await Assertions.Expect(page.Locator($"#recurring tr[data-recurring-task-id='{backup.TaskId}'] td.explanation")).ToContainTextAsync("sunday at 3am");
        await Assertions.Expect(page.Locator($"#recurring tr[data-recurring-task-id='{backup.TaskId}'] td.last-outcome")).ToHaveTextAsync("none yet");
        var digestRow = page.Locator($"#recurring tr[data-recurring-task-id='{digest.TaskId}']");
        await Assertions.Expect(digestRow.Locator("td.trigger")).ToHaveTextAsync("every other tuesday at 9:34am"); // as written; its RRULE is the tooltip
        await Assertions.Expect(digestRow.Locator("td.state")).ToHaveTextAsync("Paused");
        await Assertions.Expect(digestRow.Locator("td.next-fire")).ToHaveTextAsync("");
        await Assertions.Expect(page.Locator("#more-recurring")).ToBeHiddenAsync();

        await page.Locator("section[aria-labelledby=recurring-title]").ScreenshotAsync(new LocatorScreenshotOptions { Path = DashboardTests.ScreenshotPath("recurring-tasks.png") });
        Assert.Empty(errors);
    }

    private static Task<TaskScheduled> ScheduleAsync(AdminTestNode node, string trigger, string zone) =>
        node.Scheduling.ScheduleAsync(new ScheduleTask { Trigger = trigger, TimeZone = zone });
}
