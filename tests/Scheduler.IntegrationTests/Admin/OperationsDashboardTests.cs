using Microsoft.Playwright;
using Scheduler.AspNetCore;
using Scheduler.AspNetCore.Security;
using Scheduler.Contracts;
using Scheduler.IntegrationTests.Bus;
using Xunit.Abstractions;

namespace Scheduler.IntegrationTests.Admin;

/// <summary>
/// Issue #20, items 1, 3 and 4 in a real headless Chromium on real RabbitMQ and PostgreSQL (as <see cref="DashboardTests"/>): a task
/// created from the "New task" form fires on the worker; the instances of every task filtered by metadata, destination and task; a task
/// id and an instance id found from the search box.
/// </summary>
public sealed class OperationsDashboardTests(BusEnvironmentFixture environment, ITestOutputHelper output) : IClassFixture<BusEnvironmentFixture>
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Dashboard_CreatesATaskFromTheForm_ThatFires_FiltersInstancesAcrossTasks_AndFindsATaskOrInstanceById()
    {
        await using var bus = new BusServices(environment, output);
        var node = await bus.StartNodeAsync("node-a");
        await bus.StartWorkerAsync("worker-a");
        await bus.StartClientAsync();
        const string OpsKey = "ops-oncall-0123456789abcdef";
        await using var admin = await SchedulerAdminServer.StartAsync(node.Services, "http://127.0.0.1:0",
            o => o.Configure(a => a.ApiKeys.Add(new AdminApiKey { Name = "ops-oncall", Key = OpsKey, Role = AdminRole.Write })));
        // Another task, scheduled over the bus, whose instances the filters leave out.
        var other = await bus.SchedulerClient.ScheduleAsync(new ScheduleTask
        {
            DestinationQueue = BusServices.WorkerQueue, Trigger = "*/2 * * * * *", Overlap = OverlapPolicy.AllowAll,
            Metadata = new Dictionary<string, string> { ["reminder"] = "water" },
        });
        await bus.WaitForInstanceAsync(other.TaskId, i => i.Status == TaskInstanceState.Completed, "the other task completes a run");

        await using var browser = await DashboardBrowser.OpenAsync(Generous);
        var (page, errors) = (browser.Page, browser.Errors);
        await page.GotoAsync(admin.DashboardUri.ToString());
        await page.WaitForSelectorAsync("body[data-loaded=true]");
        await page.Locator("#api-key").FillAsync(OpsKey);
        await page.Locator("#key-form button[type=submit]").ClickAsync();

        // New task: an invalid zone is refused naming it, nothing is created; then a valid one is created and fires on the worker.
        await page.Locator("#new-task summary").ClickAsync();
        var form = page.Locator("#new-task-form");
        await form.Locator("input[name=trigger]").FillAsync("*/2 * * * * *");
        await form.Locator("input[name=timeZone]").FillAsync("Mars/Olympus_Mons");
        await form.Locator("input[name=destinationQueue]").FillAsync(BusServices.WorkerQueue);
        await form.Locator("input[name=metadata]").FillAsync("reminder=from-form, team=ops");
        await form.Locator("input[name=maxAttempts]").FillAsync("2");
        await form.Locator("button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("create failed: 400: ");
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("Mars/Olympus_Mons");
        Assert.Single((await bus.SchedulerClient.ListAsync(new ListTasks())).Tasks);
        await form.Locator("input[name=timeZone]").FillAsync("Europe/Berlin");
        await form.Locator("button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("create: done, task ");
        var created = Assert.Single((await bus.SchedulerClient.ListAsync(new ListTasks { MetadataKey = "reminder", MetadataValue = "from-form" })).Tasks);
        Assert.Equal(("Europe/Berlin", BusServices.WorkerQueue, "ops", 2), (created.TimeZone, created.DestinationQueue, created.Metadata["team"], created.Retry.MaxAttempts));
        var fired = await bus.WaitForInstanceAsync(created.TaskId, i => i.Status == TaskInstanceState.Completed, "the task created from the form fires and completes");
        await Assertions.Expect(page.Locator($"tr[data-task-id='{created.TaskId}'] td.state")).ToHaveTextAsync("Active");
        await Assertions.Expect(page.Locator("#instances-title")).ToHaveTextAsync($"Instances of task {created.TaskId}");

        // Filters on the instances of every task: Completed ones with metadata reminder=from-form are the created task's only.
        var byState = page.Locator("#by-state tbody tr td.id");
        await page.Locator("#by-state-filter").SelectOptionAsync("Completed");
        await Assertions.Expect(page.Locator($"#by-state tbody tr td.id[title='{other.TaskId}']").First).ToBeVisibleAsync();
        await page.Locator("#by-meta-filter").FillAsync("reminder=from-form");
        await page.Locator("#by-meta-filter").DispatchEventAsync("change");
        await Assertions.Expect(page.Locator($"#by-state tbody tr td.id[title='{other.TaskId}']")).ToHaveCountAsync(0);
        await Assertions.Expect(byState.First).ToHaveAttributeAsync("title", created.TaskId.ToString());
        await page.Locator("#by-queue-filter").FillAsync("no-such-queue");
        await page.Locator("#by-queue-filter").DispatchEventAsync("change");
        await Assertions.Expect(page.Locator("#by-state tbody tr td").First).ToHaveTextAsync("None.");
        await page.Locator("#by-queue-filter").FillAsync("");
        await page.Locator("#by-meta-filter").FillAsync("");
        await page.Locator("#by-task-filter").FillAsync(other.TaskId.ToString());
        await page.Locator("#by-task-filter").DispatchEventAsync("change");
        await Assertions.Expect(page.Locator($"#by-state tbody tr td.id[title='{created.TaskId}']")).ToHaveCountAsync(0);
        await Assertions.Expect(byState.First).ToHaveAttributeAsync("title", other.TaskId.ToString());
        await page.Locator("#by-task-filter").FillAsync("");
        await page.Locator("#by-task-filter").DispatchEventAsync("change");

        // Find: an instance id shows that instance and opens its task; a task id opens the task; anything else says so.
        await page.Locator("#search").FillAsync(fired.Id.ToString());
        await page.Locator("#search-form button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#found")).ToContainTextAsync($"Instance {fired.Id} of task {created.TaskId}: Completed");
        await Assertions.Expect(page.Locator("#instances-title")).ToHaveTextAsync($"Instances of task {created.TaskId}");
        await page.Locator("#search").FillAsync(other.TaskId.ToString());
        await page.Locator("#search-form button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#instances-title")).ToHaveTextAsync($"Instances of task {other.TaskId}");
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync($"task {other.TaskId}: Active");
        await page.Locator("#search").FillAsync(Guid.NewGuid().ToString());
        await page.Locator("#search-form button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("no task or instance has this id");

        // Delete all shown (after a confirm): the completed instances of the created task, by the task filter; the other task's stay.
        await page.Locator("#by-task-filter").FillAsync(created.TaskId.ToString());
        await page.Locator("#by-task-filter").DispatchEventAsync("change");
        await Assertions.Expect(page.Locator($"#by-state tbody tr td.id[title='{other.TaskId}']")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#retry-all-shown")).ToBeHiddenAsync(); // Completed instances are not retried
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await page.Locator("#delete-all-shown").ClickAsync();
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("delete all shown: done, ");
        Assert.Contains(await bus.Store.GetInstancesAsync(other.TaskId), i => i.Status == TaskInstanceState.Completed);
        Assert.Null(await bus.Store.GetInstanceAsync(fired.Id));
        await page.Locator("#by-task-filter").FillAsync("");
        await page.Locator("#by-task-filter").DispatchEventAsync("change");

        await page.Locator("#search").FillAsync(other.TaskId.ToString());
        await page.Locator("#search-form button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#instances-title")).ToHaveTextAsync($"Instances of task {other.TaskId}");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = DashboardTests.ScreenshotPath("dashboard-operations.png"), FullPage = true });
        Assert.Empty(errors);
    }
}
