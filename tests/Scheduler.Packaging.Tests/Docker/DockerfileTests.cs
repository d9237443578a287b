using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit.Abstractions;

namespace Scheduler.Packaging.Tests.Docker;

/// <summary>
/// The images build, proven without a Docker engine: each Dockerfile's <c>COPY</c> lines stage exactly what they name into an empty folder,
/// and its <c>RUN</c> lines (the same <c>dotnet restore</c> and <c>dotnet publish</c>) run there (<see cref="DockerBuild"/>). A project,
/// props or targets file the Dockerfile forgets fails here as it would in <c>docker build</c>.
/// </summary>
public sealed partial class DockerfileTests(ITestOutputHelper log)
{
    /// <summary>Restore and publish on a busy machine: minutes.</summary>
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(15);

    /// <summary>The MSBuild and NuGet files that a project picks up from its folder and every folder above it.</summary>
    private static readonly string[] InheritedFiles = ["Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "global.json", "nuget.config"];

    private static string RepositoryRoot => Repository.Root;

    [Theory]
    [InlineData("src/Scheduler.Host/Dockerfile")]
    [InlineData("samples/Worker/Dockerfile")]
    public async Task Dockerfile_PublishesFromExactlyWhatItCopies_AndItsEntryPointIsThePublishedApp(string path)
    {
        var dockerfile = Dockerfile.Read(Path.Combine(RepositoryRoot, path));
        var work = Directory.CreateTempSubdirectory("scheduler-dockerfile-").FullName;
        try
        {
            var build = new DockerBuild(dockerfile, RepositoryRoot, work);
            await build.RunAsync(async (directory, arguments) =>
            {
                log.WriteLine($"RUN dotnet {string.Join(' ', arguments)}");
                log.WriteLine(await DotnetCommand.RunAsync(directory, arguments, CommandTimeout));
            });

            // Every MSBuild/NuGet file that applies to a copied project was copied beside it (a missing Directory.Build.targets builds
            // without its analyzers instead of failing).
            var projects = build.CopiedFromContext.Where(f => f.EndsWith(".csproj", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(projects);
            var forgotten = projects.SelectMany(Inherited).Distinct().Where(f => !build.CopiedFromContext.Contains(f)).ToList();
            Assert.True(forgotten.Count == 0, $"{path} copies {string.Join(", ", projects)} but not {string.Join(", ", forgotten)}, which they build with.");

            // The image runs the app the build stage published, on a runtime that has the frameworks it needs.
            var entryPoint = Dockerfile.Words(dockerfile.Image.All("ENTRYPOINT").Last().Arguments);
            Assert.Equal("dotnet", entryPoint[0]);
            var dll = entryPoint[1].StartsWith('/') ? entryPoint[1] : build.ImageWorkingDirectory.TrimEnd('/') + "/" + entryPoint[1];
            Assert.True(File.Exists(build.InImage(dll)), $"The image's ENTRYPOINT runs {dll}, which the build does not put there.");
            var runtimeOptions = JsonDocument.Parse(await File.ReadAllTextAsync(build.InImage(Path.ChangeExtension(dll, ".runtimeconfig.json"))))
                .RootElement.GetProperty("runtimeOptions");
            var frameworks = (runtimeOptions.TryGetProperty("frameworks", out var several) ? several.EnumerateArray().ToList() : [runtimeOptions.GetProperty("framework")])
                .Select(f => f.GetProperty("name").GetString()!).ToList();
            var provided = RuntimeImageFrameworks(dockerfile.Image.BaseImage);
            Assert.True(frameworks.All(provided.Contains), $"{dll} needs {string.Join(", ", frameworks)}; {dockerfile.Image.BaseImage} has {string.Join(", ", provided)}.");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Theory]
    [InlineData("src/Scheduler.Host/Dockerfile")]
    [InlineData("samples/Worker/Dockerfile")]
    public void Dockerfile_PinsItsImagesToTheSdkAndRuntimeThisRepositoryBuildsWith(string path)
    {
        var dockerfile = Dockerfile.Read(Path.Combine(RepositoryRoot, path));
        var sdk = Version.Parse(JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot, "global.json"))).RootElement
            .GetProperty("sdk").GetProperty("version").GetString()!);
        var targetFramework = XDocument.Load(Path.Combine(RepositoryRoot, "Directory.Build.props")).Descendants("TargetFramework").Single().Value;

        foreach (var stage in dockerfile.Stages)
        {
            var match = ImageTag().Match(stage.BaseImage);
            Assert.True(match.Success, $"{path}: FROM {stage.BaseImage} is not pinned to a full version (mcr.microsoft.com/dotnet/<image>:<major>.<minor>.<patch>).");
            var version = Version.Parse(match.Groups["version"].Value);
            if (match.Groups["image"].Value == "sdk")
            {
                // global.json's rollForward is latestFeature: the same major and minor, a feature band at or above it.
                Assert.True(version.Major == sdk.Major && version.Minor == sdk.Minor && version >= sdk, $"{path}: SDK image {version} does not satisfy global.json's {sdk}.");
            }
            else
            {
                Assert.Equal(targetFramework, $"net{version.Major}.{version.Minor}");
            }
        }
    }

    /// <summary>The files of <see cref="InheritedFiles"/> that exist in the repository in the project's folder or a folder above it.</summary>
    private static IEnumerable<string> Inherited(string project)
    {
        var folder = Path.GetDirectoryName(project)!.Replace('\\', '/');
        while (true)
        {
            foreach (var name in InheritedFiles)
            {
                var candidate = folder.Length == 0 ? name : $"{folder}/{name}";
                if (File.Exists(Path.Combine(RepositoryRoot, candidate)))
                {
                    yield return candidate;
                }
            }

            if (folder.Length == 0)
            {
                yield break;
            }

            folder = Path.GetDirectoryName(folder)!.Replace('\\', '/');
        }
    }

    /// <summary>The shared frameworks of Microsoft's .NET images: runtime has the base one, aspnet adds ASP.NET Core.</summary>
    private static string[] RuntimeImageFrameworks(string image) => ImageTag().Match(image).Groups["image"].Value switch
    {
        "runtime" => ["Microsoft.NETCore.App"],
        "aspnet" => ["Microsoft.NETCore.App", "Microsoft.AspNetCore.App"],
        _ => throw new InvalidOperationException($"The image's base {image} is not a .NET runtime image (runtime or aspnet)."),
    };

    [GeneratedRegex(@"^mcr\.microsoft\.com/dotnet/(?<image>sdk|runtime|aspnet|runtime-deps):(?<version>\d+\.\d+\.\d+)(-[a-z0-9.-]+)?$")]
    private static partial Regex ImageTag();
}
