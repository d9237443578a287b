using System.IO.Compression;
using System.Reflection;
using System.Runtime.Loader;
using System.Xml.Linq;

namespace Scheduler.Packaging.Tests;

/// <summary>What dotnet pack puts in each package: ids, version, README, license, URLs, symbols, and the netstandard2.0 contracts.</summary>
[Collection(SharedPackages.Name)]
public sealed class PackageContentTests(PackagesFixture packages)
{
    public static TheoryData<string> Projects => [.. PackagesFixture.Projects];

    [Fact]
    public void Pack_ProducesOnePackageAndOneSymbolPackagePerProject_AndNothingElse()
    {
        var expected = PackagesFixture.Projects.SelectMany(p => new[] { packages.PackagePath(p), packages.PackagePath(p, symbols: true) })
            .Select(Path.GetFileName).Order(StringComparer.Ordinal);

        var produced = Directory.GetFiles(packages.Packages).Select(Path.GetFileName).Order(StringComparer.Ordinal);

        Assert.Equal(expected, produced);
        Assert.StartsWith(packages.RepositoryVersion + "-", packages.Version, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void Package_CarriesItsReadmeLicenseAndRepository(string project)
    {
        using var package = ZipFile.OpenRead(packages.PackagePath(project));
        var metadata = Nuspec(package, packages.PackageId(project)).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string? Value(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;

        Assert.Equal(packages.PackageId(project), Value("id"));
        Assert.Equal(packages.Version, Value("version"));
        Assert.Equal("Apache-2.0", Value("license"));
        Assert.Equal("README.md", Value("readme"));
        var readme = Read(package, "README.md");
        Assert.StartsWith($"# {packages.PackageId(project)}\n", readme, StringComparison.Ordinal);
        // The repository URL is the clone's own (its origin remote, through SourceLink), or none when the clone has no origin on a
        // server (a clone of a local folder, as CI makes); no project URL is made up.
        Assert.Null(Value("projectUrl"));
        var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
        Assert.Equal("git", repository.Attribute("type")?.Value);
        Assert.Equal(packages.NetworkOrigin is not null, repository.Attribute("url") is not null);
        if (packages.NetworkOrigin is not null && packages.NetworkOrigin.StartsWith("https://", StringComparison.Ordinal))
        {
            Assert.Equal(packages.NetworkOrigin, repository.Attribute("url")!.Value);
        }
        Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")?.Value ?? "");
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void SymbolPackage_HoldsThePdbOfEachAssembly(string project)
    {
        using var package = ZipFile.OpenRead(packages.PackagePath(project));
        using var symbols = ZipFile.OpenRead(packages.PackagePath(project, symbols: true));
        var assemblies = package.Entries.Where(e => e.FullName.EndsWith($"/Scheduler.{project}.dll", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(assemblies);
        Assert.All(assemblies, dll => Assert.Contains(symbols.Entries, e => e.FullName == Path.ChangeExtension(dll.FullName, ".pdb")));
    }

    [Fact]
    public void Contracts_TargetNetStandard20_WithoutAnyDependency()
    {
        using var package = ZipFile.OpenRead(packages.PackagePath("Contracts"));
        var groups = Nuspec(package, packages.PackageId("Contracts")).Descendants().Where(e => e.Name.LocalName == "group").ToList();

        Assert.Contains(package.Entries, e => e.FullName == "lib/netstandard2.0/Scheduler.Contracts.dll");
        Assert.Contains(package.Entries, e => e.FullName == "lib/net10.0/Scheduler.Contracts.dll");
        Assert.Equal([".NETStandard2.0", "net10.0"], groups.Select(g => g.Attribute("targetFramework")?.Value).Order(StringComparer.Ordinal));
        Assert.All(groups, g => Assert.Empty(g.Elements()));
    }

    [Fact]
    public void Contracts_NetStandard20Assembly_RunsAndDerivesTheSameTaskIds()
    {
        // The netstandard2.0 build has its own code path for ScheduleTasks.DerivedTaskId (no spans): load it and check the known answer
        // that the net10.0 build is tested with (tests/Scheduler.MassTransit.Tests/BatchedIntakeTests.cs).
        var dll = Path.Combine(packages.Root, "netstandard2.0", "Scheduler.Contracts.dll");
        Directory.CreateDirectory(Path.GetDirectoryName(dll)!);
        using (var package = ZipFile.OpenRead(packages.PackagePath("Contracts")))
        {
            package.GetEntry("lib/netstandard2.0/Scheduler.Contracts.dll")!.ExtractToFile(dll, overwrite: true);
        }

        var context = new AssemblyLoadContext("netstandard2.0 contracts", isCollectible: true);
        try
        {
            var contracts = context.LoadFromAssemblyPath(dll);
            var derive = contracts.GetType("Scheduler.Contracts.ScheduleTasks", throwOnError: true)!.GetMethod("DerivedTaskId")!;

            var id = (Guid)derive.Invoke(null, [Guid.Parse("6ba7b810-9dad-11d1-80b4-00c04fd430c8"), 12345])!;

            Assert.Equal(".NETStandard,Version=v2.0", contracts.GetCustomAttribute<System.Runtime.Versioning.TargetFrameworkAttribute>()?.FrameworkName);
            Assert.Equal(Guid.Parse("08d517c3-ac51-54e8-9036-a65fc977ab11"), id);
        }
        finally
        {
            context.Unload();
        }
    }

    [Fact]
    public void Cli_PacksAsTheDotnetToolScheduler()
    {
        using var package = ZipFile.OpenRead(packages.PackagePath("Cli"));
        var settings = XDocument.Parse(Read(package, "tools/net10.0/any/DotnetToolSettings.xml"));

        Assert.Equal("scheduler", settings.Descendants("Command").Single().Attribute("Name")?.Value);
        Assert.Contains(Nuspec(package, packages.PackageId("Cli")).Descendants(), e => e.Name.LocalName == "packageType" && e.Attribute("name")?.Value == "DotnetTool");
    }

    private static XDocument Nuspec(ZipArchive package, string id) => XDocument.Parse(Read(package, $"{id}.nuspec"));

    private static string Read(ZipArchive package, string entry)
    {
        using var reader = new StreamReader(package.GetEntry(entry)?.Open() ?? throw new InvalidOperationException($"The package has no {entry}."));
        return reader.ReadToEnd();
    }
}
