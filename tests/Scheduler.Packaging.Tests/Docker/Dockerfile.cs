using System.Text;
using System.Text.Json;

namespace Scheduler.Packaging.Tests.Docker;

/// <summary>
/// A Dockerfile read the way <c>docker build</c> reads it, for the instructions this repository's Dockerfiles use: <c>FROM image [AS name]</c>,
/// <c>WORKDIR</c>, <c>COPY [--from=stage] [--chown=…] src… dest</c>, <c>RUN</c> (shell form), <c>USER</c>, <c>VOLUME</c>, <c>EXPOSE</c>,
/// <c>ENV</c> and <c>ENTRYPOINT</c> (exec form). Lines ending in <c>\</c> continue; <c>#</c> lines are comments. Any other instruction is
/// refused, so that a Dockerfile never holds a step this emulation silently skips.
/// </summary>
internal sealed class Dockerfile
{
    private static readonly HashSet<string> Known = new(StringComparer.OrdinalIgnoreCase)
        { "FROM", "WORKDIR", "COPY", "RUN", "USER", "VOLUME", "EXPOSE", "ENV", "ENTRYPOINT" };

    private Dockerfile(string path, IReadOnlyList<DockerStage> stages)
    {
        Path = path;
        Stages = stages;
    }

    /// <summary>The Dockerfile's path.</summary>
    public string Path { get; }

    /// <summary>The build stages, in order; the last one is the image.</summary>
    public IReadOnlyList<DockerStage> Stages { get; }

    /// <summary>The image's stage (the last).</summary>
    public DockerStage Image => Stages[^1];

    /// <summary>Reads <paramref name="path"/>; throws naming the line for an instruction outside the supported set.</summary>
    public static Dockerfile Read(string path)
    {
        var stages = new List<DockerStage>();
        foreach (var (number, line) in LogicalLines(File.ReadAllLines(path)))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var keyword = space < 0 ? line : line[..space];
            var rest = space < 0 ? "" : line[(space + 1)..].Trim();
            if (!Known.Contains(keyword))
            {
                throw new InvalidOperationException($"{path}:{number}: instruction {keyword} is not emulated by this test; extend Dockerfile.cs or avoid it.");
            }

            if (keyword.Equals("FROM", StringComparison.OrdinalIgnoreCase))
            {
                var words = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                stages.Add(new DockerStage(words[0], words.Length == 3 && words[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? words[2] : null));
                continue;
            }

            if (stages.Count == 0)
            {
                throw new InvalidOperationException($"{path}:{number}: {keyword} before the first FROM.");
            }

            stages[^1].Instructions.Add(new DockerInstruction(number, keyword.ToUpperInvariant(), rest));
        }

        return new Dockerfile(path, stages);
    }

    /// <summary>The stage named <paramref name="name"/> (<c>FROM … AS name</c>).</summary>
    public DockerStage Stage(string name) =>
        Stages.SingleOrDefault(s => s.Name == name) ?? throw new InvalidOperationException($"{Path} has no stage '{name}'.");

    /// <summary>Splits a JSON array (exec form) or a shell-form command into words (no quoting other than double quotes in the shell form).</summary>
    public static IReadOnlyList<string> Words(string text)
    {
        if (text.StartsWith('['))
        {
            return JsonSerializer.Deserialize<string[]>(text) ?? [];
        }

        var words = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        foreach (var c in text)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ' ' && !quoted)
            {
                if (current.Length > 0)
                {
                    words.Add(current.ToString());
                    current.Clear();
                }
            }
            else
            {
                current.Append(c);
            }
        }

        if (current.Length > 0)
        {
            words.Add(current.ToString());
        }

        return words;
    }

    private static IEnumerable<(int Number, string Line)> LogicalLines(string[] lines)
    {
        var text = new StringBuilder();
        var first = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (text.Length == 0 && (line.Length == 0 || line.StartsWith('#')))
            {
                continue;
            }

            if (text.Length == 0)
            {
                first = i + 1;
            }

            if (line.EndsWith('\\'))
            {
                text.Append(line[..^1]).Append(' ');
                continue;
            }

            text.Append(line);
            yield return (first, text.ToString().Trim());
            text.Clear();
        }
    }
}

/// <summary>One stage of a Dockerfile: its base image, its name and its instructions.</summary>
internal sealed record DockerStage(string BaseImage, string? Name)
{
    public List<DockerInstruction> Instructions { get; } = [];

    /// <summary>The instructions of kind <paramref name="keyword"/> (upper case).</summary>
    public IEnumerable<DockerInstruction> All(string keyword) => Instructions.Where(i => i.Keyword == keyword);
}

/// <summary>One instruction: its line number, keyword (upper case) and arguments.</summary>
internal sealed record DockerInstruction(int Line, string Keyword, string Arguments);
