namespace Scheduler.Packaging.Tests;

/// <summary>The repository these tests were built from.</summary>
internal static class Repository
{
    /// <summary>The repository's root folder (the one with Scheduler.sln), found above the test's output folder.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Scheduler.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException($"No Scheduler.sln above {AppContext.BaseDirectory}.");
    }
}
