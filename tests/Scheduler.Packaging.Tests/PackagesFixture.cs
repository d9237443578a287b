using System.Reflection;
using System.Text.Json;

namespace Scheduler.Packaging.Tests;

/// <summary>
/// Packs the libraries and the CLI tool of this repository once for the tests of <see cref="SharedPackages"/>, into a temporary folder
/// that is deleted afterwards with everything the tests put beside it (consumer apps, their package cache, installed tools).
/// </summary>
/// <remarks>
/// The packages get a version of their own, <c>&lt;VersionPrefix&gt;-test.t&lt;random&gt;</c>: a package restored once stays in NuGet's caches
/// under its id and version, so a fixed version could let a consumer restore an older build of it. The build goes to a private artifacts
/// folder (<c>UseArtifactsOutput</c>), leaving the repository's bin and obj folders as they were.
/// </remarks>
public sealed class PackagesFixture : IAsyncLifetime
{
    /// <summary>The src projects that pack, by name without "Scheduler."; the CLI is the dotnet tool.</summary>
    public static readonly IReadOnlyList<string> Projects = ["Contracts", "Triggers", "Core", "MassTransit", "EntityFrameworkCore", "AspNetCore", "Cli"];

    /// <summary>A busy CI machine builds slowly: deadlines are minutes.</summary>
    public static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(15);

    /// <summary>The package id prefix set in Directory.Build.props (<c>PackageIdPrefix</c>).</summary>
    public string Prefix { get; } = Metadata("PackageIdPrefix");

    /// <summary>The version this build of the repository carries (Directory.Build.props <c>VersionPrefix</c>).</summary>
    public string RepositoryVersion { get; } = Metadata("PackageVersion");

    /// <summary>The version the packages were packed with: <see cref="RepositoryVersion"/> plus a prerelease label unique to this run.</summary>
    public string Version { get; }

    /// <summary>The repository's root folder (the one with Scheduler.sln).</summary>
    public string RepositoryRoot { get; } = Repository.Root;

    /// <summary>
    /// The URL of the clone's <c>origin</c> remote when it names a server (https, ssh, git), or null when the clone has no
    /// origin or its origin is a folder on this machine (a local path or a <c>file:</c> URL), which SourceLink does not
    /// publish as the package's repository URL (read in <see cref="InitializeAsync"/>).
    /// </summary>
    public string? NetworkOrigin { get; private set; }

    /// <summary>The temporary folder of this run; deleted at the end.</summary>
    public string Root { get; }

    /// <summary>The folder holding the .nupkg and .snupkg files.</summary>
    public string Packages { get; }

    /// <summary>Creates the temporary folder; <see cref="InitializeAsync"/> packs.</summary>
    public PackagesFixture()
    {
        Version = $"{RepositoryVersion}-test.t{Guid.NewGuid().ToString("N")[..8]}";
        Root = Directory.CreateTempSubdirectory("scheduler-packaging-").FullName;
        Packages = Path.Combine(Root, "packages");
        // A fresh app in a subfolder of Root must not pick up MSBuild or NuGet settings from a folder above the temporary one.
        File.WriteAllText(Path.Combine(Root, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(Root, "Directory.Build.targets"), "<Project />");
        File.WriteAllText(Path.Combine(Root, "Directory.Packages.props"), "<Project />");
    }

    /// <summary>The package id of a src project, e.g. <c>Core</c> → <c>BrokerScheduler.Core</c>.</summary>
    public string PackageId(string project) => $"{Prefix}.{project}";

    /// <summary>The path of a project's package, or of its symbol package when <paramref name="symbols"/> is set.</summary>
    public string PackagePath(string project, bool symbols = false) =>
        Path.Combine(Packages, $"{PackageId(project)}.{Version}.{(symbols ? "snupkg" : "nupkg")}");

    private bool IsLocal(string origin) =>
        (Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.IsFile) || Directory.Exists(Path.Combine(RepositoryRoot, origin));

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        // One dotnet pack for the packed projects, through a solution filter of Scheduler.sln.
        var filter = Path.Combine(Root, "packages.slnf");
        await File.WriteAllTextAsync(filter, JsonSerializer.Serialize(new
        {
            solution = new
            {
                path = Path.Combine(RepositoryRoot, "Scheduler.sln"),
                projects = Projects.Select(p => $"src/Scheduler.{p}/Scheduler.{p}.csproj").ToArray(),
            },
        }));
        try
        {
            var remotes = await DotnetCommand.RunAsync(RepositoryRoot, ["remote"], PackTimeout, executable: "git");
            var origin = remotes.Split('\n').Any(r => r.Trim() == "origin")
                ? (await DotnetCommand.RunAsync(RepositoryRoot, ["remote", "get-url", "origin"], PackTimeout, executable: "git")).Trim()
                : null;
            NetworkOrigin = origin is null || IsLocal(origin) ? null : origin;
            await DotnetCommand.RunAsync(RepositoryRoot,
                ["pack", filter, "-c", "Release", "-o", Packages, $"-p:Version={Version}", "-p:UseArtifactsOutput=true",
                    $"-p:ArtifactsPath={Path.Combine(Root, "artifacts")}", "-clp:ErrorsOnly"],
                PackTimeout);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc />
    public Task DisposeAsync()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }

        return Task.CompletedTask;
    }

    private static string Metadata(string key) =>
        typeof(PackagesFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"The test assembly has no {key} metadata.");
}
