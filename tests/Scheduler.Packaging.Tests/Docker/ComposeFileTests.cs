using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Scheduler.Packaging.Tests.Docker;

/// <summary>
/// docker-compose.yml holds as docs/running.md describes it, checked structurally since no Docker engine runs here: the services the docs
/// name, pinned images, the Dockerfiles that <see cref="DockerfileTests"/> build, a named volume for every stateful service, health checks
/// (the nodes probed with <c>Scheduler.Host --probe</c>), ports on loopback without clashes, no restart loop, one documented dashboard.
/// </summary>
public sealed partial class ComposeFileTests
{
    private static readonly string[] StatefulServices = ["cockroach", "rabbitmq"];
    private static readonly string[] TestedDockerfiles = ["src/Scheduler.Host/Dockerfile", "samples/Worker/Dockerfile"];

    private readonly Dictionary<string, Dictionary<object, object>> _services;
    private readonly Dictionary<object, object> _compose;

    public ComposeFileTests()
    {
        // MergingParser applies the file's anchors and '<<' merge keys, as docker compose does.
        using var reader = new StringReader(File.ReadAllText(Path.Combine(Repository.Root, "docker-compose.yml")));
        _compose = new DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(new MergingParser(new Parser(reader)));
        _services = Map(_compose, "services").ToDictionary(s => (string)s.Key, s => (Dictionary<object, object>)s.Value, StringComparer.Ordinal);
    }

    [Fact]
    public void Services_AreTheOnesDocsRunningMdDescribes()
    {
        var docs = Section(File.ReadAllText(Path.Combine(Repository.Root, "docs", "running.md")), "## Docker Compose");
        var described = DescribedService().Matches(docs).SelectMany(m => m.Groups["names"].Value.Split(", ")).Select(n => n.Trim('`')).ToList();

        Assert.Equal(described.Order(StringComparer.Ordinal), _services.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["node-1", "node-2"], NodeServices.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Images_ArePinnedToAVersion_AndBuiltServicesUseTheTestedDockerfiles()
    {
        foreach (var (name, service) in _services)
        {
            if (service.TryGetValue("image", out var image))
            {
                Assert.Matches(@"^[a-z0-9./-]+:v?\d+\.\d+\.\d+(-[a-z0-9.-]+)?$", (string)image);
            }
            else
            {
                var build = Map(service, "build");
                Assert.True(build.TryGetValue("context", out var context) && (string)context == ".", $"{name} builds from the repository root");
                Assert.Contains((string)build["dockerfile"], TestedDockerfiles);
            }
        }
    }

    [Fact]
    public void CockroachDbTestScript_UsesTheComposeFilesImage()
    {
        var script = File.ReadAllText(Path.Combine(Repository.Root, "scripts", "test-cockroachdb.sh"));

        Assert.Contains($"SCHEDULER_COCKROACH_IMAGE:-{_services["cockroach"]["image"]}}}", script, StringComparison.Ordinal);
    }

    [Fact]
    public void StatefulServices_KeepTheirDataInNamedVolumes_AndNodesUseNoContainerLocalStore()
    {
        var declared = Map(_compose, "volumes").Keys.Cast<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var name in StatefulServices)
        {
            var volumes = List(_services[name], "volumes").Cast<string>().ToList();
            Assert.True(volumes.Count > 0 && volumes.All(v => declared.Contains(v.Split(':')[0])), $"{name} keeps its data in a named volume: {string.Join(", ", volumes)}");
        }

        // RabbitMQ's data directory is named after its node name, which follows the host name: a fixed one finds the data again.
        Assert.Equal("rabbitmq", _services["rabbitmq"]["hostname"]);

        // The image's default store is a SQLite file in /data: a node on it needs a volume there; these nodes share CockroachDB.
        foreach (var node in NodeServices)
        {
            var store = Environment(node).GetValueOrDefault("Store__Kind", "Sqlite");
            Assert.True(store is "CockroachDb" or "Postgres" || List(_services[node], "volumes").Cast<string>().Any(v => v.EndsWith(":/data", StringComparison.Ordinal)),
                $"{node} keeps its tasks in a {store} store inside the container");
        }
    }

    [Fact]
    public void Services_AreHealthChecked_AndNodesAreProbedWithTheirOwnBinaryOnTheirHealthEndpoint()
    {
        foreach (var (name, service) in _services.Where(s => !IsWorker(s.Key) && s.Key != "cockroach-init"))
        {
            Assert.True(service.ContainsKey("healthcheck"), $"{name} has a healthcheck");
        }

        foreach (var node in NodeServices)
        {
            var probe = List(Map(_services[node], "healthcheck"), "test").Cast<string>().ToList();
            var health = new Uri(Environment(node)["Health__Urls"]);
            Assert.Equal(["CMD", "dotnet", "/app/Scheduler.Host.dll", "--probe", $"http://127.0.0.1:{health.Port}/health/ready"], probe);
            var dependsOn = Map(_services[node], "depends_on");
            Assert.All(StatefulServices, s => Assert.Equal("service_healthy", Map(dependsOn, s)["condition"]));
        }
    }

    [Fact]
    public void Ports_ArePublishedOnLoopbackOnly_WithoutClashes()
    {
        var published = _services.SelectMany(s => List(s.Value, "ports").Cast<string>().Select(p => (Service: s.Key, Port: p))).ToList();

        Assert.All(published, p => Assert.Matches(@"^127\.0\.0\.1:\d+:\d+$", p.Port));
        var clashes = published.GroupBy(p => p.Port.Split(':')[1]).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(clashes.Count == 0, $"host ports published twice: {string.Join(", ", clashes)}");
    }

    [Fact]
    public void Restarts_AreBounded_SoAConfigurationErrorDoesNotLoop()
    {
        foreach (var (name, service) in _services)
        {
            var restart = (string)service["restart"];
            var bounded = OnFailure().Match(restart);
            Assert.True(restart == "no" || (bounded.Success && int.Parse(bounded.Groups["n"].Value, CultureInfo.InvariantCulture) <= 5),
                $"{name}: restart '{restart}' is not 'no' or 'on-failure:N' (N ≤ 5); 'always' and 'unless-stopped' restart a node that exits 2 forever");
        }
    }

    [Fact]
    public void Dashboard_OneNodeServesItOnLoopback_BehindAnApiKeyTheUserMustSet_AsDocumented()
    {
        var admins = NodeServices.Where(n => Environment(n).ContainsKey("Admin__Urls")).ToList();
        var admin = Assert.Single(admins);
        var environment = Environment(admin);
        var port = new Uri(environment["Admin__Urls"]).Port;
        var mapping = Assert.Single(List(_services[admin], "ports").Cast<string>(), p => p.EndsWith($":{port}", StringComparison.Ordinal));
        var hostPort = mapping.Split(':')[1];

        Assert.Matches(@"^\$\{SCHEDULER_ADMIN_KEY:\?.+\}$", environment["Admin__ApiKeys__0__Key"]);
        Assert.Equal("Write", environment["Admin__ApiKeys__0__Role"]);
        var docs = Section(File.ReadAllText(Path.Combine(Repository.Root, "docs", "running.md")), "## Docker Compose");
        Assert.Contains($"http://127.0.0.1:{hostPort}/scheduler/", docs, StringComparison.Ordinal);
        Assert.Contains("SCHEDULER_ADMIN_KEY", docs, StringComparison.Ordinal);
    }

    private IEnumerable<string> NodeServices => _services.Where(s => Map(s.Value, "build").GetValueOrDefault("dockerfile") as string == TestedDockerfiles[0]).Select(s => s.Key);

    private bool IsWorker(string name) => Map(_services[name], "build").GetValueOrDefault("dockerfile") as string == TestedDockerfiles[1];

    private Dictionary<string, string> Environment(string service) =>
        Map(_services[service], "environment").ToDictionary(e => (string)e.Key, e => (string)e.Value, StringComparer.Ordinal);

    private static Dictionary<object, object> Map(Dictionary<object, object> parent, string key) =>
        parent.TryGetValue(key, out var value) && value is Dictionary<object, object> map ? map : [];

    private static List<object> List(Dictionary<object, object> parent, string key) =>
        parent.TryGetValue(key, out var value) && value is List<object> list ? list : [];

    /// <summary>The text of a markdown section, from its heading to the next heading of the same level.</summary>
    private static string Section(string markdown, string heading)
    {
        var start = markdown.IndexOf(heading, StringComparison.Ordinal);
        Assert.True(start >= 0, $"no section '{heading}'");
        var end = markdown.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
        return end < 0 ? markdown[start..] : markdown[start..end];
    }

    /// <summary>A docs bullet that describes services: <c>- `name`, `name`: …</c>.</summary>
    [GeneratedRegex(@"^- (?<names>`[a-z0-9-]+`(, `[a-z0-9-]+`)*):", RegexOptions.Multiline)]
    private static partial Regex DescribedService();

    [GeneratedRegex(@"^on-failure:(?<n>\d+)$")]
    private static partial Regex OnFailure();
}
