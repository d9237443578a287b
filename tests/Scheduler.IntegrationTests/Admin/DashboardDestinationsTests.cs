using Microsoft.Playwright;
using Scheduler.Contracts;
using Scheduler.TestSupport;

namespace Scheduler.IntegrationTests.Admin;

/// <summary>Issue #20, item 3 (destinations view) in a real headless Chromium over a node's admin API (an in-memory node on a loopback
/// port): the Destinations card lists every destination queue with its load.</summary>
public sealed class DashboardDestinationsTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Dashboard_ListsEveryDestination_WithConsumersBacklogInFlightFailuresAndLastDispatch()
    {
        await using var node = await AdminTestNode.StartAsync();
        var task = await node.Scheduling.ScheduleAsync(new ScheduleTask { Trigger = "2099-01-01T00:00:00Z", DestinationQueue = "mail" });
        var now = TimeProvider.System.GetUtcNow();
        // Counts that hold still while the node runs: a due claim another node holds (backlog), a Dispatched attempt (in flight), a dead letter.
        foreach (var (state, at) in new[] { (TaskInstanceState.Claimed, now.AddMinutes(-1)), (TaskInstanceState.Dispatched, now.AddMinutes(-2)) })
        {
            Assert.True((await node.Store.AddInstanceAsync(new Scheduler.Core.Definitions.TaskInstance
            {
                Id = Guid.CreateVersion7(), DefinitionId = task.TaskId, FireTime = at, Status = state, DueAt = state == TaskInstanceState.Claimed ? at : now.AddHours(1),
                LeaseOwner = state == TaskInstanceState.Claimed ? "node-b" : null, LeaseExpiresAt = state == TaskInstanceState.Claimed ? now.AddHours(1) : null,
                Attempt = state == TaskInstanceState.Dispatched ? 1 : 0, DispatchedAt = state == TaskInstanceState.Dispatched ? new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero) : null,
                ExpireAfter = TimeSpan.FromHours(1), Retry = RetryPolicy.None,
            })).Added);
        }

        await node.AddDeadLetterAsync(task.TaskId, now.AddHours(-1), "System.Exception: boom");

        await using var browser = await DashboardBrowser.OpenAsync(Generous);
        var (page, errors) = (browser.Page, browser.Errors);
        await page.GotoAsync(node.DashboardUri.ToString());
        await page.WaitForSelectorAsync("body[data-loaded=true]");

        var mail = page.Locator("#destinations li[data-queue='mail']");
        await Assertions.Expect(mail.Locator(".consumers")).ToHaveTextAsync("not watched"); // the in-memory bus cannot tell
        await Assertions.Expect(mail.Locator(".load")).ToHaveTextAsync("backlog 1 · in flight 1 · failed 24 h 1 · last dispatch 2030-01-02 03:04:05");
        await Assertions.Expect(mail).Not.ToHaveClassAsync("bad");
        Assert.Empty(errors);
    }
}
