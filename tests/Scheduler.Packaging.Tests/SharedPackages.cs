namespace Scheduler.Packaging.Tests;

/// <summary>The tests that share one <see cref="PackagesFixture"/> (one dotnet pack); they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class SharedPackages : ICollectionFixture<PackagesFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Packages";
}
