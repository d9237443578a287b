using System.Net;
using System.Text.RegularExpressions;
using Scheduler.IntegrationTests.Bus;
using Scheduler.TestSupport;

namespace Scheduler.IntegrationTests.Admin;

/// <summary>Scheduler.Host as a process with <c>Admin:Urls</c> set: it prints the dashboard's URL, serves it, and binds the <c>Admin</c> keys.</summary>
public sealed partial class HostAdminTests(BusEnvironmentFixture environment) : IClassFixture<BusEnvironmentFixture>
{
    [Fact]
    public async Task Host_PrintsTheDashboardUrl_AndServesTheAdminWithTheConfiguredKeys()
    {
        const string key = "host-test-key-0123456789";
        await using var node = await ServiceProcess.StartNodeAsync(environment.Broker.Uri, environment.Database.ConnectionString, "admin-host", new Dictionary<string, string>
        {
            ["Admin__Urls"] = "http://127.0.0.1:0",
            ["Admin__TrustLoopback"] = "false", // as for a caller on another host
            ["Admin__ApiKeys__0__Name"] = "ops",
            ["Admin__ApiKeys__0__Key"] = key,
            ["Admin__ApiKeys__0__Role"] = "Read",
        });
        var line = node.Lines.FirstOrDefault(l => l.Contains("Admin dashboard at ", StringComparison.Ordinal));
        Assert.True(line is not null, $"The node printed no dashboard URL:\n{node.Output}");
        var dashboard = new Uri(DashboardUrl().Match(line).Groups[1].Value);
        using var http = new HttpClient();

        var page = await http.GetAsync(dashboard);
        var anonymous = await http.GetAsync(new Uri(dashboard, "api/tasks"));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(dashboard, "api/tasks")) { Headers = { { "X-Api-Key", key } } };
        var withKey = await http.SendAsync(request);

        Assert.Equal((HttpStatusCode.OK, "text/html"), (page.StatusCode, page.Content.Headers.ContentType?.MediaType));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
    }

    [GeneratedRegex(@"Admin dashboard at (http://\S+/scheduler/)")]
    private static partial Regex DashboardUrl();
}
