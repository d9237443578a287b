using System.Runtime.InteropServices;
using System.Xml.Linq;
using Xunit.Abstractions;

namespace Scheduler.Packaging.Tests;

/// <summary>
/// The packages as a new user meets them: a fresh console app follows the README's "Install" section (its <c>dotnet add package</c> lines
/// and its program, read from README.md) against the packages just packed, and the CLI package installs the <c>scheduler</c> command.
/// </summary>
[Collection(SharedPackages.Name)]
public sealed class QuickStartTests(PackagesFixture packages, ITestOutputHelper log)
{
    /// <summary>Restore, build and run of a fresh app on a busy CI machine: minutes.</summary>
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(10);

    /// <summary>What the README's program prints when its task fires.</summary>
    private const string FiredLine = "Hello from the scheduler";

    [Fact]
    public async Task ReadmeInstall_FreshConsoleApp_RestoresThePackagesAndItsTaskFires()
    {
        var (addPackages, program) = ReadInstallSection(Path.Combine(packages.RepositoryRoot, "README.md"));
        var app = Path.Combine(packages.Root, "QuickStart");
        var environment = ConsumerEnvironment;
        await DotnetCommand.RunAsync(packages.Root, ["new", "console", "--output", app, "--no-restore"], CommandTimeout, environment);
        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), await NuGetConfigAsync());

        foreach (var package in addPackages)
        {
            // Ours at the version just packed; any other at the version this repository pins (Directory.Packages.props).
            var version = package.StartsWith(packages.Prefix + ".", StringComparison.Ordinal) ? packages.Version : PinnedVersion(package);
            await DotnetCommand.RunAsync(app, ["add", "package", package, "--version", version, "--no-restore"], CommandTimeout, environment);
        }

        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), program);
        var output = await DotnetCommand.RunAsync(app, ["run"], CommandTimeout, environment);
        log.WriteLine(output);

        Assert.Contains(FiredLine, output, StringComparison.Ordinal);
        Assert.Contains(addPackages, p => p == packages.PackageId("MassTransit"));
        Assert.Contains(addPackages, p => p == packages.PackageId("EntityFrameworkCore"));
    }

    [Fact]
    public async Task CliPackage_ToolInstall_GivesASchedulerCommandThatPrintsItsVersion()
    {
        var tools = Path.Combine(packages.Root, "tools");
        var environment = ConsumerEnvironment;
        await DotnetCommand.RunAsync(packages.Root,
            ["tool", "install", "--tool-path", tools, "--add-source", packages.Packages, packages.PackageId("Cli"), "--version", packages.Version],
            CommandTimeout, environment);

        // The shim finds the runtime through DOTNET_ROOT, as after a manual install outside the default location.
        var runtime = new DirectoryInfo(RuntimeEnvironment.GetRuntimeDirectory()).Parent!.Parent!.Parent!.FullName;
        var output = await DotnetCommand.RunAsync(packages.Root, ["--version"], CommandTimeout,
            new Dictionary<string, string> { ["DOTNET_ROOT"] = Environment.GetEnvironmentVariable("DOTNET_ROOT") ?? runtime },
            executable: Path.Combine(tools, "scheduler"));
        log.WriteLine(output);

        Assert.StartsWith($"scheduler {packages.Version}", output, StringComparison.Ordinal);
    }

    /// <summary>
    /// Reads the README's "## Install" section: the package ids of its <c>dotnet add package</c> lines and its first C# block (the program).
    /// </summary>
    private static (IReadOnlyList<string> Packages, string Program) ReadInstallSection(string readme)
    {
        var lines = File.ReadAllLines(readme);
        var start = Array.FindIndex(lines, l => l.Trim() == "## Install");
        Assert.True(start >= 0, "README.md has no '## Install' section.");
        var section = lines.Skip(start + 1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal)).ToList();
        var addPackages = section.Select(l => l.Trim()).Where(l => l.StartsWith("dotnet add package ", StringComparison.Ordinal))
            .Select(l => l["dotnet add package ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]).ToList();
        var code = section.SkipWhile(l => l.Trim() != "```csharp").Skip(1).TakeWhile(l => l.Trim() != "```").ToList();
        Assert.NotEmpty(addPackages);
        Assert.NotEmpty(code);
        return (addPackages, string.Join('\n', code) + "\n");
    }

    /// <summary>
    /// The consumer's NuGet settings: the folder of packages just packed as a source beside the machine's configured ones (inherited from the
    /// user's NuGet.Config), and the machine's package folder as a fallback, so the dependencies restore from it without a download.
    /// </summary>
    private async Task<string> NuGetConfigAsync()
    {
        var list = await DotnetCommand.RunAsync(packages.Root, ["nuget", "locals", "global-packages", "--list"], CommandTimeout);
        var machinePackages = list.Trim()["global-packages:".Length..].Trim();
        return new XDocument(new XElement("configuration",
            new XElement("packageSources", new XElement("add", new XAttribute("key", "scheduler-packed"), new XAttribute("value", packages.Packages))),
            new XElement("fallbackPackageFolders", new XElement("add", new XAttribute("key", "machine"), new XAttribute("value", machinePackages))))).ToString();
    }

    /// <summary>The consumer's own package folder, inside the test's temporary folder: nothing of this run lands in the machine's caches.</summary>
    private Dictionary<string, string> ConsumerEnvironment => new() { ["NUGET_PACKAGES"] = Path.Combine(packages.Root, "nuget-packages") };

    private string PinnedVersion(string package) =>
        XDocument.Load(Path.Combine(packages.RepositoryRoot, "Directory.Packages.props")).Descendants("PackageVersion")
            .SingleOrDefault(e => e.Attribute("Include")?.Value == package)?.Attribute("Version")?.Value
        ?? throw new InvalidOperationException($"README.md adds package {package}, which Directory.Packages.props does not pin.");
}
