using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace Scheduler.Cli.Tests;

/// <summary>
/// The <c>scheduler next</c> and <c>explain</c> commands shown in the docs' code blocks (lines <c>dotnet run --project src/Scheduler.Cli --
/// …</c>) run as written and print what the docs show after them: in docs/triggers.md the exact lines; in the README the fragments of its
/// <c># …</c> comment lines (separated by <c>...</c>; the output's lines joined by spaces). Commands without <c>--from</c> run at the fake clock's now, 2025-01-01T00:00Z.
/// </summary>
public class DocsCommandTests
{
    private const string Prefix = "dotnet run --project src/Scheduler.Cli -- ";
    private const string InstalledPrefix = "scheduler ";

    [Theory]
    [InlineData("docs/triggers.md", true)]
    [InlineData("README.md", false)]
    [InlineData("src/Scheduler.Cli/README.md", false)] // the installed tool's lines, "scheduler next …"
    public void ToolCommandsInTheDocs_PrintWhatTheDocsShow(string file, bool exactOutput)
    {
        var examples = Examples(File.ReadAllLines(Path.Combine(RepositoryRoot, file))).ToList();
        Assert.NotEmpty(examples);
        foreach (var (command, shown) in examples)
        {
            var args = Split(command[PrefixOf(command)!.Length..]);
            using var output = new StringWriter();
            using var error = new StringWriter();
            var exitCode = SchedulerCli.Run([.. args], output, error, new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero)));
            Assert.True(exitCode == 0, $"{file}: '{command}' exited with {exitCode}: {error}");
            var printed = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
            if (exactOutput)
            {
                Assert.True(shown.Count == 0 || shown.SequenceEqual(printed), $"{file}: '{command}' printed\n{string.Join('\n', printed)}\nbut the docs show\n{string.Join('\n', shown)}");
            }
            else
            {
                foreach (var fragment in shown.SelectMany(line => line.TrimStart('#').Split("...", StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
                {
                    Assert.True(string.Join(' ', printed).Contains(fragment, StringComparison.Ordinal),
                        $"{file}: '{command}' printed\n{string.Join('\n', printed)}\nwithout '{fragment}'");
                }
            }
        }
    }

    /// <summary>Each tool command (next, explain, --version) in a fenced block, with the lines shown after it up to the next command.</summary>
    private static IEnumerable<(string Command, List<string> Shown)> Examples(string[] lines)
    {
        var inBlock = false;
        (string Command, List<string> Shown)? current = null;
        foreach (var line in lines)
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                if (current is { } done)
                {
                    yield return done;
                    current = null;
                }

                inBlock = !inBlock;
                continue;
            }

            if (!inBlock)
            {
                continue;
            }

            if (PrefixOf(line) is { } prefix)
            {
                if (current is { } previous)
                {
                    yield return previous;
                }

                var command = line.Split(" # ")[0].TrimEnd(); // a trailing comment is not an argument
                current = Split(command[prefix.Length..]).FirstOrDefault() is "next" or "explain" or "--version" ? (command, []) : null;
            }
            else
            {
                current?.Shown.Add(line);
            }
        }
    }

    private static string? PrefixOf(string line) =>
        line.StartsWith(Prefix, StringComparison.Ordinal) ? Prefix : line.StartsWith(InstalledPrefix, StringComparison.Ordinal) ? InstalledPrefix : null;

    /// <summary>The arguments of a shell command line: words separated by spaces, double-quoted words kept whole.</summary>
    private static List<string> Split(string commandLine)
    {
        var args = new List<string>();
        var word = new StringBuilder();
        var quoted = false;
        var any = false;
        foreach (var c in commandLine)
        {
            if (c == '"')
            {
                quoted = !quoted;
                any = true;
            }
            else if (c == ' ' && !quoted)
            {
                if (any)
                {
                    args.Add(word.ToString());
                }

                word.Clear();
                any = false;
            }
            else
            {
                word.Append(c);
                any = true;
            }
        }

        if (any)
        {
            args.Add(word.ToString());
        }

        return args;
    }

    private static string RepositoryRoot
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Scheduler.sln")))
                {
                    return directory.FullName;
                }
            }

            throw new InvalidOperationException($"No Scheduler.sln above {AppContext.BaseDirectory}.");
        }
    }
}
