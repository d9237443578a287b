using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Scheduler.IntegrationTests.Bus;
using Scheduler.TestSupport;
using Xunit.Abstractions;

namespace Scheduler.IntegrationTests.Admin;

/// <summary>
/// docs/running.md "Walkthrough: a failing task, dead-lettered, requeued", done as an operator would: the commands of its shell block run as
/// processes (the node in the Development environment that <c>dotnet run</c> selects, the sample worker failing every attempt, the sample
/// client's schedule), the dead letter seen through the admin API and on the dashboard in headless Chromium, the worker restarted fixed, the
/// dead letter's Requeue button clicked, and the instance's new attempt completed. It takes the walkthrough's two screenshots.
/// </summary>
// Runs alone (after the parallel tests): it starts three processes and a browser, load that would otherwise land on the timing-sensitive
// bus tests running beside it (a heartbeat stuck behind a saga backlog, HeartbeatTests, failed beside it once).
[Collection(nameof(Bus.RunsAlone))]
public sealed partial class WalkthroughTests(RabbitMqVirtualHostFixture broker, ITestOutputHelper output) : IClassFixture<RabbitMqVirtualHostFixture>, IDisposable
{
    private const string Heading = "### Walkthrough: a failing task, dead-lettered, requeued";
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(90);
    private readonly string _directory = Directory.CreateTempSubdirectory("scheduler-walkthrough-").FullName;

    private static string Chromium => DashboardBrowser.Chromium;

    [Fact]
    public async Task Walkthrough_AFailingTaskDeadLetters_IsRequeuedFromTheDashboardAfterTheFix_AndCompletes()
    {
        Assert.True(File.Exists(Chromium), $"No browser at {Chromium}. Run scripts/services.sh (it installs Debian's chromium) or set SCHEDULER_TEST_CHROMIUM.");
        var commands = DocumentedCommands();
        var (nodeCommand, failingWorker, schedule, fixedWorker) = (commands[0], commands[1], commands[2], commands[3]);
        Assert.Equal(["dotnet", "run", "--project", "src/Scheduler.Host"], nodeCommand);
        Assert.Equal("samples/Worker", failingWorker[3]);
        Assert.Equal("samples/Client", schedule[3]);
        Assert.Equal("samples/Worker", fixedWorker[3]);

        // Terminal 1: `dotnet run` selects the Development environment (launchSettings.json); this test's broker, and a SQLite file and
        // a free admin port of its own by the environment variables the docs name.
        await using var node = await ServiceProcess.StartNodeAsync(broker.Uri, "", "walkthrough", new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["Store__Kind"] = "Sqlite",
            ["Store__ConnectionString"] = $"Data Source={Path.Combine(_directory, "scheduler.db")}",
            ["Store__IsolationLevel"] = "Serializable",
            ["Admin__Urls"] = "http://127.0.0.1:0",
        });
        var dashboardLine = node.Lines.FirstOrDefault(l => l.Contains("Admin dashboard at ", StringComparison.Ordinal));
        Assert.True(dashboardLine is not null, $"The node printed no dashboard URL:\n{node.Output}");
        var dashboard = new Uri(DashboardUrl().Match(dashboardLine).Groups[1].Value);
        using var http = new HttpClient { BaseAddress = dashboard };

        // Terminal 2: the worker whose every attempt throws.
        var worker = await StartWorkerAsync(failingWorker);
        ServiceProcess? fixedProcess = null;
        try
        {
            // Terminal 3: the task, due in 5 seconds, allowed 2 attempts.
            var scheduled = await ServiceProcess.RunClientAsync([.. schedule[5..], "--rabbitmq", broker.Uri.ToString()], Generous);
            output.WriteLine("$ " + string.Join(' ', schedule) + "\n" + string.Join('\n', scheduled.Lines));
            Assert.Equal(0, scheduled.ExitCode);
            var taskId = Guid.Parse(Assert.Single(scheduled.Lines, l => l.StartsWith("scheduled ", StringComparison.Ordinal)).Split(' ')[1]);

            // Attempts 1 and 2 fail: the instance is a dead letter.
            JsonElement deadLetter = default;
            await Wait.UntilAsync(async () =>
            {
                var list = await http.GetFromJsonAsync<JsonElement>("api/dead-letters");
                var found = list.GetProperty("deadLetters").EnumerateArray().Where(d => d.GetProperty("taskId").GetGuid() == taskId).ToList();
                deadLetter = found.FirstOrDefault();
                return found.Count == 1;
            }, "the task's instance is a dead letter after its 2 attempts", Generous);
            var instanceId = deadLetter.GetProperty("instance").GetProperty("instanceId").GetGuid();
            Assert.Equal((2, 2), (deadLetter.GetProperty("instance").GetProperty("attempt").GetInt32(), deadLetter.GetProperty("instance").GetProperty("maxAttempts").GetInt32()));
            Assert.Contains(worker.Lines, l => l.Contains($"task {taskId} attempt 2 failed: Simulated failure on attempt 2 (Worker:FailureRate 1).", StringComparison.Ordinal));

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true });
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
            page.SetDefaultTimeout((float)Generous.TotalMilliseconds);
            Assertions.SetDefaultExpectTimeout((float)Generous.TotalMilliseconds);
            var errors = new List<string>();
            page.PageError += (_, message) => errors.Add(message);
            await page.GotoAsync(dashboard.ToString());
            await page.WaitForSelectorAsync("body[data-loaded=true]");
            var row = page.Locator($"#dead-letters tbody tr[data-instance-id='{instanceId}']");
            await Assertions.Expect(row).ToContainTextAsync("2 / 2");
            await Assertions.Expect(row).ToContainTextAsync("Simulated failure on attempt 2 (Worker:FailureRate 1).");
            await Assertions.Expect(page.Locator($"tr[data-task-id='{taskId}'] td.state")).ToHaveTextAsync("Finished");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = DashboardTests.ScreenshotPath("walkthrough-dead-letter.png"), FullPage = true });

            // The fix: stop the failing worker, start it with FailureRate 0. The dead letter stays one until requeued.
            await worker.KillAsync();
            fixedProcess = await StartWorkerAsync(fixedWorker);
            Assert.Equal("Failed", await InstanceStateAsync(http, taskId, instanceId));

            // Requeue from the dashboard: attempt 3, with a fresh budget of 2, completes.
            await row.Locator("button[data-action=requeue]").ClickAsync();
            await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("requeue: done, instance");
            await Wait.UntilAsync(async () => await InstanceStateAsync(http, taskId, instanceId) == "Completed",
                "the requeued instance's attempt 3 completes on the fixed worker", Generous);
            await Wait.UntilAsync(() => fixedProcess.Lines.Any(l => l.Contains($"done task {taskId} ", StringComparison.Ordinal) && l.Contains(" attempt 3 ", StringComparison.Ordinal)),
                "the fixed worker prints attempt 3 done", Generous);
            Assert.Contains(fixedProcess.Lines, l => l.Contains($"task {taskId} instance {instanceId} attempt 3/4 ", StringComparison.Ordinal));
            await Assertions.Expect(page.Locator("#dead-letters tbody tr")).ToHaveTextAsync("No dead letters.");
            await Assertions.Expect(page.Locator("#completed-hour")).ToHaveTextAsync("1"); // the cluster view, refreshed every 15 s
            await page.Locator($"tr[data-task-id='{taskId}'] td.id").ClickAsync();
            var instance = page.Locator("#instances tbody tr").Filter(new() { HasText = "Completed" });
            await Assertions.Expect(instance).ToContainTextAsync("3 / 4");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = DashboardTests.ScreenshotPath("walkthrough-requeued.png"), FullPage = true });
            Assert.Empty(errors);

            // No Warning but what the failing handler brings: the node's report of the dead letter, the failing worker's handler errors.
            output.WriteLine("node:\n" + node.Output + "\nfailing worker:\n" + worker.Output + "\nfixed worker:\n" + fixedProcess.Output);
            var dead = Assert.Single(Warnings(node.Lines));
            Assert.Contains($"Task instance {instanceId} of task {taskId} dead-lettered after attempt 2: System.InvalidOperationException: Simulated failure", dead, StringComparison.Ordinal);
            Assert.Empty(Warnings(fixedProcess.Lines));
            Assert.All(Warnings(worker.Lines), w => Assert.Contains("Simulated failure on attempt ", w, StringComparison.Ordinal));
        }
        finally
        {
            await worker.DisposeAsync();
            if (fixedProcess is not null)
            {
                await fixedProcess.DisposeAsync();
            }
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold the file an instant after the node was killed; the temporary directory is left behind.
        }
    }

    /// <summary>
    /// The worker command <paramref name="command"/> (<c>dotnet run --project samples/Worker -- --Key value ...</c>) as written, on this
    /// test's broker (the queue is the docs' <c>reminders-worker</c>, the sample's default: the virtual host is the test's own).
    /// </summary>
    private Task<ServiceProcess> StartWorkerAsync(string[] command)
    {
        var arguments = command[5..];
        Assert.True(arguments.Length % 2 == 0, $"'{string.Join(' ', command)}' is not made of --Key value pairs");
        var settings = Enumerable.Range(0, arguments.Length / 2).ToDictionary(i => arguments[2 * i][2..], i => arguments[(2 * i) + 1]);
        var name = settings["Worker:Name"];
        settings.Remove("Worker:Name");
        return ServiceProcess.StartWorkerAsync(broker.Uri, name, "reminders-worker", settings);
    }

    private static async Task<string?> InstanceStateAsync(HttpClient http, Guid taskId, Guid instanceId)
    {
        var list = await http.GetFromJsonAsync<JsonElement>($"api/tasks/{taskId}/instances");
        return list.GetProperty("instances").EnumerateArray().Where(i => i.GetProperty("instanceId").GetGuid() == instanceId)
            .Select(i => i.GetProperty("state").GetString()).SingleOrDefault();
    }

    /// <summary>
    /// The entries at Warning or above of a console log (the simple formatter's <c>warn:</c>, <c>fail:</c>, <c>crit:</c>), each its header
    /// with its message, which is on the next line unless the formatter writes single lines.
    /// </summary>
    private static List<string> Warnings(IReadOnlyList<string> lines) =>
        [.. lines.Select((line, n) => (line, n)).Where(l => LogLevel().IsMatch(l.line))
            .Select(l => l.line.TrimEnd().EndsWith(']') && l.n + 1 < lines.Count ? l.line + " " + lines[l.n + 1].Trim() : l.line)];

    /// <summary>The commands of the walkthrough's shell block, as words (a double-quoted string is one word), comments dropped.</summary>
    private static List<string[]> DocumentedCommands()
    {
        var text = File.ReadAllText(Path.Combine(DashboardTests.RepositoryRoot(), "docs", "running.md"));
        var section = text[text.IndexOf(Heading, StringComparison.Ordinal)..];
        var block = section[(section.IndexOf("```sh\n", StringComparison.Ordinal) + 6)..];
        block = block[..block.IndexOf("```", StringComparison.Ordinal)];
        return [.. block.Split('\n').Select(l => l.Split(" # ")[0].Trim()).Where(l => l.StartsWith("dotnet ", StringComparison.Ordinal))
            .Select(l => Word().Matches(l).Select(m => m.Groups["quoted"].Success ? m.Groups["quoted"].Value : m.Value).ToArray())];
    }

    [GeneratedRegex(@"Admin dashboard at (http://\S+/scheduler/)")]
    private static partial Regex DashboardUrl();

    [GeneratedRegex("\"(?<quoted>[^\"]*)\"|\\S+")]
    private static partial Regex Word();

    [GeneratedRegex(@"(^|\s)(warn|fail|crit): ")]
    private static partial Regex LogLevel();
}
