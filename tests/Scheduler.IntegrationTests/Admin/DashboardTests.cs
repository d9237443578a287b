using Microsoft.Playwright;
using Scheduler.AspNetCore;
using Scheduler.AspNetCore.Security;
using Scheduler.Contracts;
using Scheduler.IntegrationTests.Bus;
using Xunit.Abstractions;

namespace Scheduler.IntegrationTests.Admin;

/// <summary>
/// The dashboard in a real headless Chromium (Debian's <c>chromium</c>, driven by Microsoft.Playwright; scripts/services.sh installs it),
/// served by a node on real RabbitMQ and PostgreSQL with tasks scheduled over the bus: what it shows, its buttons (pause, requeue, requeue
/// all shown), and that a keyless loopback caller may only read.
/// </summary>
public sealed class DashboardTests(BusEnvironmentFixture environment, ITestOutputHelper output) : IClassFixture<BusEnvironmentFixture>
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Dashboard_ShowsTasksInstancesAndDeadLetters_PausesATask_AndRequeuesADeadLetter_AndAllShown()
    {
        await using var bus = new BusServices(environment, output);
        var node = await bus.StartNodeAsync("node-a");
        await bus.StartWorkerAsync("worker-a");
        await bus.StartClientAsync();
        const string OpsKey = "ops-oncall-0123456789abcdef";
        await using var admin = await SchedulerAdminServer.StartAsync(node.Services, "http://127.0.0.1:0",
            o => o.Configure(a => a.ApiKeys.Add(new AdminApiKey { Name = "ops-oncall", Key = OpsKey, Role = AdminRole.Write })));
        var scheduler = bus.SchedulerClient;
        // The Reminders sample's kind of tasks, scheduled over the bus as any service would.
        var water = await scheduler.ScheduleAsync(new ScheduleTask
        {
            DestinationQueue = BusServices.WorkerQueue, Trigger = "*/2 * * * * *", Metadata = new Dictionary<string, string> { ["reminder"] = "water" }, Overlap = OverlapPolicy.AllowAll,
        });
        // Issue #23, item 5: a task that skips a calendar's days shows it beside its trigger.
        await scheduler.SetCalendarAsync(new SetCalendar { Name = "holidays", Dates = ["2031-12-25"], Description = "Company holidays" });
        var standup = await scheduler.ScheduleAsync(new ScheduleTask
        {
            DestinationQueue = BusServices.WorkerQueue, Trigger = "every weekday at 9:30am except holidays", TimeZone = "Europe/Berlin", Metadata = new Dictionary<string, string> { ["reminder"] = "standup" },
        });
        var flaky = await scheduler.ScheduleAsync(new ScheduleTask
        {
            DestinationQueue = BusServices.WorkerQueue,
            Trigger = TimeProvider.System.GetUtcNow().AddSeconds(1).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            Metadata = new Dictionary<string, string> { ["reminder"] = "flaky", ["behavior"] = "fail-always" },
            Retry = new RetryPolicy { MaxAttempts = 2, InitialBackoff = TimeSpan.FromSeconds(1) },
        });
        // Issue #20: a task whose handler fails until its bug is fixed; its one attempt dead-letters it.
        var fixable = await scheduler.ScheduleAsync(new ScheduleTask
        {
            DestinationQueue = BusServices.WorkerQueue,
            Trigger = TimeProvider.System.GetUtcNow().AddSeconds(1).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            Metadata = new Dictionary<string, string> { ["reminder"] = "fixable", ["behavior"] = "fail-until-fixed" },
            Retry = RetryPolicy.None,
        });
        // Issue #23, item 4: a task with an end finishes there, and the dashboard says so.
        var countdown = await scheduler.ScheduleAsync(new ScheduleTask
        {
            DestinationQueue = BusServices.WorkerQueue, Trigger = "*/2 * * * * *", MaxOccurrences = 2, Overlap = OverlapPolicy.AllowAll,
            Metadata = new Dictionary<string, string> { ["reminder"] = "countdown" },
        });
        await bus.WaitForInstanceAsync(water.TaskId, i => i.Status == TaskInstanceState.Completed, "water completes a run");
        await Wait.UntilAsync(async () => (await bus.Store.GetDefinitionAsync(countdown.TaskId))?.State == TaskState.Finished,
            "countdown finishes after its 2 occurrences", Generous);
        await bus.WaitForInstanceAsync(flaky.TaskId, i => i.Status == TaskInstanceState.Failed, "flaky is dead-lettered after 2 attempts");
        var fixableDead = await bus.WaitForInstanceAsync(fixable.TaskId, i => i.Status == TaskInstanceState.Failed, "fixable is dead-lettered after its attempt");

        await using var browser = await DashboardBrowser.OpenAsync(Generous);
        var (page, errors) = (browser.Page, browser.Errors);
        await page.GotoAsync(admin.DashboardUri.ToString());
        await page.WaitForSelectorAsync("body[data-loaded=true]");

        // Tasks, with their states and next fire times.
        var waterRow = page.Locator($"tr[data-task-id='{water.TaskId}']");
        var standupRow = page.Locator($"tr[data-task-id='{standup.TaskId}']");
        await Assertions.Expect(waterRow.Locator("td.state")).ToHaveTextAsync("Active");
        await Assertions.Expect(standupRow).ToContainTextAsync("every weekday at 9:30am except holidays");
        await Assertions.Expect(standupRow).ToContainTextAsync("Europe/Berlin");
        var nextFire = standup.NextFireTime!.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        await Assertions.Expect(standupRow.Locator("td.next-fire")).ToContainTextAsync(nextFire);
        await Assertions.Expect(page.Locator($"tr[data-task-id='{flaky.TaskId}'] td.state")).ToHaveTextAsync("Finished");
        var countdownRow = page.Locator($"tr[data-task-id='{countdown.TaskId}']");
        await Assertions.Expect(countdownRow.Locator("td.state")).ToHaveTextAsync("Finished");
        var last = countdown.LastFireTime!.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        await Assertions.Expect(countdownRow.Locator("td.ends")).ToHaveTextAsync($"2 times (last {last})");
        // Dead letters, with the worker's error; the last hour's completions.
        var deadLetter = page.Locator("#dead-letters tbody tr").Filter(new() { HasText = "scripted failure of attempt 2" });
        await Assertions.Expect(deadLetter).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#dead-letters tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#completed-hour")).Not.ToHaveTextAsync("0");
        // The instances of every task by state (issue #20, item 3): the completed ones include water's.
        await page.Locator("#by-state-filter").SelectOptionAsync("Completed");
        await Assertions.Expect(page.Locator($"#by-state tbody tr td.id[title='{water.TaskId}']").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#by-state tbody tr td.state").First).ToHaveTextAsync("Completed");
        // Every node, idle or not, with the release it runs (issue #20, item 3).
        var nodeItem = page.Locator("#nodes li[data-node='node-a']");
        await Assertions.Expect(nodeItem).ToContainTextAsync("node-a: ");
        await Assertions.Expect(nodeItem).Not.ToContainTextAsync("stopped ticking");
        await Assertions.Expect(nodeItem).ToHaveAttributeAsync("title", new System.Text.RegularExpressions.Regex("release .+, started .+, last seen .+, clock offset -?[0-9.]+ ms"));
        // A task's instances and attempts, with failures and their errors.
        await page.Locator($"tr[data-task-id='{flaky.TaskId}'] td.id").ClickAsync();
        var failedInstance = page.Locator("#instances tbody tr").Filter(new() { HasText = "Failed" });
        await Assertions.Expect(failedInstance).ToContainTextAsync("2 / 2");
        await Assertions.Expect(failedInstance).ToContainTextAsync("scripted failure of attempt 2");
        // Issue #20, item 1: its attempt count opens its attempt history: both attempts, the node that claimed each, how each ended and why,
        // how long each ran.
        await failedInstance.Locator("button[data-action=attempts]").ClickAsync();
        var attempts = page.Locator("#instances tr.attempts table.attempts tbody tr");
        await Assertions.Expect(attempts).ToHaveCountAsync(2);
        await Assertions.Expect(attempts.Nth(0).Locator("td.outcome")).ToHaveTextAsync("Failed");
        await Assertions.Expect(attempts.Nth(0)).ToContainTextAsync("scripted failure of attempt 1");
        await Assertions.Expect(attempts.Nth(1).Locator("td.outcome")).ToHaveTextAsync("DeadLettered");
        await Assertions.Expect(attempts.Nth(1)).ToContainTextAsync("scripted failure of attempt 2");
        await Assertions.Expect(attempts.Nth(0).Locator("td").Nth(1)).ToHaveTextAsync("node-a");
        await Assertions.Expect(attempts.Nth(0).Locator("td").Nth(6)).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^[0-9.]+ s$"));
        await page.Locator($"tr[data-task-id='{water.TaskId}'] td.id").ClickAsync();
        await Assertions.Expect(page.Locator("#instances tbody tr").Filter(new() { HasText = "Completed" }).First).ToBeVisibleAsync();
        // Issue #20, item 3: the selected task's next fire times that will fire (every 2 s: five of them).
        await Assertions.Expect(page.Locator("#upcoming time")).ToHaveCountAsync(5);

        // Without a key, loopback may only read: the page says so and asks for one; nothing changes.
        await standupRow.Locator("button[data-action=pause]").ClickAsync();
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("may only read (Admin:LoopbackRole is Read)");
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("Enter an API key above.");
        Assert.Null((await bus.Store.GetDefinitionAsync(standup.TaskId))!.PausedAt);

        // Pause with the operator's key: the button calls the admin API, and the task is paused in the database.
        await page.Locator("#api-key").FillAsync(OpsKey);
        await page.Locator("#key-form button[type=submit]").ClickAsync();
        await standupRow.Locator("button[data-action=pause]").ClickAsync();
        await Wait.UntilAsync(async () => (await bus.Store.GetDefinitionAsync(standup.TaskId))?.PausedAt is not null,
            "the standup task is paused in the database", Generous);
        await Assertions.Expect(standupRow.Locator("td.state")).ToHaveTextAsync("Paused");
        await Assertions.Expect(standupRow.Locator("button[data-action=resume]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("pause: done");
        Assert.Equal(TaskState.Active, (await scheduler.GetAsync(water.TaskId))!.State);

        // Requeue: the dead letter's button gives it a fresh budget of 2 attempts. Flaky fails always, so attempts 3 and 4 fail and it is a
        // dead letter again.
        var dead = Assert.Single(await bus.Store.GetInstancesAsync(flaky.TaskId), i => i.Status == TaskInstanceState.Failed);
        await deadLetter.Locator("button[data-action=requeue]").ClickAsync();
        await Wait.UntilAsync(async () => await bus.Store.GetInstanceAsync(dead.Id) is { Status: TaskInstanceState.Failed, Attempt: 4 },
            "the requeued attempts 3 and 4 fail, and the instance is a dead letter again", Generous);
        await Assertions.Expect(page.Locator("#dead-letters tbody tr").Filter(new() { HasText = "scripted failure of attempt 4" })).ToContainTextAsync("4 / 4");

        // Requeue all shown, once fixable's bug is fixed: both dead letters through the filter; fixable's attempt 2 completes, flaky's 5 and 6 fail.
        bus.HandlerFix.Fix();
        await page.Locator("#requeue-all").ClickAsync();
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("requeue all: done, 2 of 2 shown are due now with a fresh attempt budget");
        await Wait.UntilAsync(async () => await bus.Store.GetInstanceAsync(fixableDead.Id) is { Status: TaskInstanceState.Completed, Attempt: 2 },
            "fixable's requeued attempt 2 completes", Generous);
        await Wait.UntilAsync(async () => await bus.Store.GetInstanceAsync(dead.Id) is { Status: TaskInstanceState.Failed, Attempt: 6 },
            "flaky's requeued attempts 5 and 6 fail", Generous);
        await Assertions.Expect(page.Locator("#dead-letters tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#dead-letters tbody tr")).ToContainTextAsync("6 / 6");

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = ScreenshotPath("dashboard.png"), FullPage = true });
        Assert.Empty(errors);
    }

    /// <summary>docs/images/<paramref name="name"/> (e.g. <c>dashboard.png</c>) of the repository the test was built from (the README and
    /// docs/running.md show them).</summary>
    internal static string ScreenshotPath(string name)
    {
        var images = Path.Combine(RepositoryRoot(), "docs", "images");
        Directory.CreateDirectory(images);
        return Path.Combine(images, name);
    }

    /// <summary>The repository the test was built from: the directory above its output that holds Scheduler.sln.</summary>
    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Scheduler.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException($"No Scheduler.sln above {AppContext.BaseDirectory}.");
    }
}
