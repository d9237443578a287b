using System.Runtime.InteropServices;
using System.Xml.Linq;
using Xunit.Abstractions;

namespace Scheduler.Packaging.Tests;

/// <summary>
/// The packages as a new user meets them: a fresh console app follows the README's "Install" section (its commands and its program, read
/// from README.md) against the packages just packed, and the CLI package installs the <c>scheduler</c> command.
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
        var (commands, program) = ReadInstallSection(Path.Combine(packages.RepositoryRoot, "README.md"));
        var environment = await ConsumerEnvironmentAsync();
        var script = string.Join('\n', commands.Select(Pinned));
        log.WriteLine(script);
        log.WriteLine(await DotnetCommand.RunAsync(packages.Root, ["-c", "set -euo pipefail\n" + script], CommandTimeout, environment, executable: "bash"));

        var app = Path.Combine(packages.Root, AppFolder(commands));
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), program);
        var output = await DotnetCommand.RunAsync(app, ["run"], CommandTimeout, environment);
        log.WriteLine(output);

        Assert.Contains(FiredLine, output, StringComparison.Ordinal);
        var references = XDocument.Load(Directory.GetFiles(app, "*.csproj").Single()).Descendants("PackageReference")
            .ToDictionary(r => r.Attribute("Include")!.Value, r => r.Attribute("Version")!.Value, StringComparer.Ordinal);
        Assert.Equal(packages.Version, references[packages.PackageId("MassTransit")]);
        Assert.Equal(packages.Version, references[packages.PackageId("EntityFrameworkCore")]);
        // The app's own nuget.config names the packages' folder; the user-wide NuGet configuration was not needed.
        Assert.Contains(packages.Packages, await File.ReadAllTextAsync(Path.Combine(app, "nuget.config")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CliPackage_ToolInstall_GivesASchedulerCommandThatPrintsItsVersion()
    {
        var tools = Path.Combine(packages.Root, "tools");
        var environment = await ConsumerEnvironmentAsync();
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
    /// Reads the README's "## Install" section: the commands of its bash block (comments dropped) and its C# block (the program).
    /// </summary>
    private static (IReadOnlyList<string> Commands, string Program) ReadInstallSection(string readme)
    {
        var lines = File.ReadAllLines(readme);
        var start = Array.FindIndex(lines, l => l.Trim() == "## Install");
        Assert.True(start >= 0, "README.md has no '## Install' section.");
        var section = lines.Skip(start + 1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal)).ToList();
        string[] Block(string language) => [.. section.SkipWhile(l => l.Trim() != "```" + language).Skip(1).TakeWhile(l => l.Trim() != "```")];
        var commands = Block("bash").Select(l => l.Split(" # ")[0].Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var code = Block("csharp");
        Assert.NotEmpty(commands);
        Assert.NotEmpty(code);
        return (commands, string.Join('\n', code) + "\n");
    }

    /// <summary>
    /// A command of the Install section as this test runs it: <c>scripts/pack.sh</c> is left out (the fixture packed, with a version of this
    /// run), the packages' folder is the fixture's, and <c>dotnet add package</c> names the version just packed (ours, in place of
    /// <c>--prerelease</c>) or the one this repository pins (the others), so that nothing newer is fetched.
    /// </summary>
    private string Pinned(string command)
    {
        if (command == "scripts/pack.sh")
        {
            return "# scripts/pack.sh: packed by the fixture";
        }

        command = command.Replace("<path to this repository>/artifacts/packages", packages.Packages, StringComparison.Ordinal);
        if (!command.StartsWith("dotnet add package ", StringComparison.Ordinal))
        {
            return command;
        }

        var package = command["dotnet add package ".Length..].Split(' ')[0];
        var ours = package.StartsWith(packages.Prefix + ".", StringComparison.Ordinal);
        Assert.True(!ours || command.Contains("--prerelease", StringComparison.Ordinal), $"'{command}': local packs are prereleases; add --prerelease");
        return command.Replace(" --prerelease", "", StringComparison.Ordinal) + $" --version {(ours ? packages.Version : PinnedVersion(package))}";
    }

    /// <summary>The app's folder, from the section's <c>dotnet new console -o NAME</c>.</summary>
    private static string AppFolder(IReadOnlyList<string> commands) =>
        commands.Select(c => System.Text.RegularExpressions.Regex.Match(c, @"^dotnet new console -o (\S+)")).Single(m => m.Success).Groups[1].Value;

    /// <summary>
    /// The consumer's environment: its own package folder inside the test's temporary folder (nothing of this run lands in the machine's
    /// caches), with the machine's package folder as a fallback (NUGET_FALLBACK_PACKAGES), so the dependencies restore without a download.
    /// </summary>
    private async Task<Dictionary<string, string>> ConsumerEnvironmentAsync()
    {
        var list = await DotnetCommand.RunAsync(packages.Root, ["nuget", "locals", "global-packages", "--list"], CommandTimeout);
        return new Dictionary<string, string>
        {
            ["NUGET_PACKAGES"] = Path.Combine(packages.Root, "nuget-packages"),
            ["NUGET_FALLBACK_PACKAGES"] = list.Trim()["global-packages:".Length..].Trim(),
        };
    }

    private string PinnedVersion(string package) =>
        XDocument.Load(Path.Combine(packages.RepositoryRoot, "Directory.Packages.props")).Descendants("PackageVersion")
            .SingleOrDefault(e => e.Attribute("Include")?.Value == package)?.Attribute("Version")?.Value
        ?? throw new InvalidOperationException($"README.md adds package {package}, which Directory.Packages.props does not pin.");
}
