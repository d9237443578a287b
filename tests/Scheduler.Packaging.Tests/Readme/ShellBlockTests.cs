using System.Reflection;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Scheduler.Packaging.Tests.Readme;

/// <summary>
/// The shell blocks of README.md and the package READMEs: each is run by a test, or listed in <see cref="Coverage"/> with the reason it is
/// not run as written (it starts servers that run until stopped, needs Docker, or is the test command itself) and the tests that run the
/// same thing. The <c>scheduler</c> commands whose output the text shows in <c># …</c> comments run here and must print it. A shell block of
/// docs/ need not be listed, but one that is listed (a walkthrough a test runs) must exist under its heading.
/// </summary>
public sealed partial class ShellBlockTests(ITestOutputHelper log)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Each shell block, by file and heading, and how it is covered.</summary>
    private static readonly Dictionary<string, string> Coverage = new(StringComparer.Ordinal)
    {
        ["README.md#Quick start"] = "run: QuickStart_RemindersSample_FiresNothingEarly (the sample); scripts/test.sh is the test command itself (.ci/run)",
        ["README.md#Install"] = "run: QuickStartTests.ReadmeInstall_FreshConsoleApp_RestoresThePackagesAndItsTaskFires",
        ["README.md#Run it as separate processes"] = "not run as written (a node, workers and a client that run until stopped): the fault suite runs " +
            "the same node and worker processes (ServiceProcess), HostStartFailureTests the node's exit codes",
        ["README.md#Operate it"] = "not run as written (a node that runs until stopped): HostAdminTests serve and call the same admin API",
        ["README.md#Triggers"] = "run: CliCommands_PrintWhatTheirCommentsShow",
        ["README.md#Performance"] = "not run: the benchmark takes minutes (bench/README.md); its numbers are measured, not asserted",
        ["README.md#Changing the public API"] = "not run: it rewrites the PublicAPI files of the working tree",
        ["src/Scheduler.Cli/README.md#BrokerScheduler.Cli"] = "run: next, explain and --version by CliCommands_PrintWhatTheirCommentsShow; the tool " +
            "install by QuickStartTests.CliPackage_ToolInstall_GivesASchedulerCommandThatPrintsItsVersion; db and tasks/instances need a " +
            "database or a node: DatabaseCliTests and AdminCliTests",
        ["docs/running.md#Walkthrough: a failing task, dead-lettered, requeued"] = "run: Scheduler.IntegrationTests' WalkthroughTests reads " +
            "this block and runs its commands with their arguments, as the built Scheduler.Host.dll, Worker.dll and Client.dll (what " +
            "`dotnet run` runs after building; the node with DOTNET_ENVIRONMENT=Development as launchSettings.json sets), differing in: the " +
            "test's own RabbitMQ virtual host (the worker's Transport:RabbitMq:Uri, the client's --rabbitmq), Store__ConnectionString to a " +
            "SQLite file in a temporary directory and Admin__Urls to a free port (the overrides the text names), a fixed node id; the worker's " +
            "Ctrl+C is a kill",
    };

    public static TheoryData<string> CliBlocks => ["README.md#Triggers", "src/Scheduler.Cli/README.md#BrokerScheduler.Cli"];

    [Fact]
    public void EveryShellBlock_IsRunByATest_OrListedWithTheReasonItIsNot()
    {
        var blocks = ShellBlocks().Select(Key).Distinct().ToList();

        var uncovered = blocks.Where(b => !b.StartsWith("docs/", StringComparison.Ordinal) && !Coverage.ContainsKey(b)).ToList();
        var stale = Coverage.Keys.Where(k => !blocks.Contains(k)).ToList();
        Assert.True(uncovered.Count == 0, $"shell blocks neither run by a test nor listed in Coverage: {string.Join(", ", uncovered)}");
        Assert.True(stale.Count == 0, $"Coverage lists blocks that no longer exist: {string.Join(", ", stale)}");
    }

    [Theory]
    [MemberData(nameof(CliBlocks))]
    public async Task CliCommands_PrintWhatTheirCommentsShow(string key)
    {
        var lines = ShellBlocks().Where(b => Key(b) == key).SelectMany(b => b.Text.Split('\n')).ToList();
        var ran = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            var match = CliCommand().Match(lines[i]);
            if (!match.Success || match.Groups["verb"].Value is not ("next" or "explain" or "--version"))
            {
                continue;
            }

            var command = match.Groups["args"].Value.Split(" # ")[0].Trim();
            var output = await DotnetCommand.RunAsync(Repository.Root, [CliPath, .. Arguments(command)], CommandTimeout);
            log.WriteLine($"$ scheduler {command}\n{output}");
            ran++;
            var position = 0;
            for (var j = i + 1; j < lines.Count && lines[j].StartsWith("# ", StringComparison.Ordinal); j++)
            {
                foreach (var fragment in lines[j][2..].Split("...").Select(f => f.Trim()).Where(f => f.Length > 0))
                {
                    var found = output.IndexOf(fragment, position, StringComparison.Ordinal);
                    Assert.True(found >= 0, $"'scheduler {command}' does not print '{fragment}' (after what it printed before), as {key} shows:\n{output}");
                    position = found + fragment.Length;
                }
            }
        }

        Assert.True(ran > 0, $"{key} has no scheduler next/explain/--version command");
    }

    [Fact]
    public async Task QuickStart_RemindersSample_FiresNothingEarly()
    {
        var command = ShellBlocks().Where(b => Key(b) == "README.md#Quick start").SelectMany(b => b.Text.Split('\n'))
            .Select(l => l.Split(" # ")[0].Trim()).Single(l => l.StartsWith("dotnet run --project samples/Reminders", StringComparison.Ordinal));

        // As written, with --duration 10 (the README's shorter run) instead of its 30 s.
        var output = await DotnetCommand.RunAsync(Repository.Root, [.. Arguments(command)[1..], "--", "--duration", "10"], CommandTimeout);
        log.WriteLine(output);

        Assert.Contains("[completed]", output, StringComparison.Ordinal);
        Assert.Contains("[rejected]  DestinationQueue is missing.", output, StringComparison.Ordinal);
        Assert.Contains("Done: no reminder fired early.", output, StringComparison.Ordinal);
    }

    /// <summary>The shell blocks of README.md, the package READMEs and docs/.</summary>
    private static IEnumerable<CodeBlock> ShellBlocks() =>
        CodeBlock.DocumentedFiles().SelectMany(CodeBlock.Read).Where(b => b.Language is "bash" or "sh" or "shell");

    private static string Key(CodeBlock block) => $"{block.File}#{block.Heading}";

    /// <summary>The words of a command line: double-quoted strings are one word.</summary>
    private static string[] Arguments(string command) =>
        [.. Word().Matches(command).Select(m => m.Groups["quoted"].Success ? m.Groups["quoted"].Value : m.Value)];

    /// <summary>The CLI built with these tests (a project reference that is built, not referenced).</summary>
    private static string CliPath => Path.Combine(Repository.Root, "src", "Scheduler.Cli", "bin",
        typeof(ShellBlockTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration, "net10.0", "Scheduler.Cli.dll");

    [GeneratedRegex(@"^(dotnet run --project src/Scheduler.Cli --|scheduler) (?<args>(?<verb>\S+).*)$")]
    private static partial Regex CliCommand();

    [GeneratedRegex("\"(?<quoted>[^\"]*)\"|\\S+")]
    private static partial Regex Word();
}
