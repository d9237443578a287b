namespace Scheduler.Packaging.Tests.Readme;

/// <summary>One fenced code block of a markdown file: where it is, its language (the word after the opening fence) and its text.</summary>
/// <param name="File">The markdown file, relative to the repository root.</param>
/// <param name="Line">The line of the opening fence (1-based).</param>
/// <param name="Language">The fence's language, e.g. <c>csharp</c>, <c>bash</c>, or empty.</param>
/// <param name="Text">The block's lines, without the fences and the indentation of the opening fence.</param>
/// <param name="Heading">The nearest heading above the block.</param>
public sealed record CodeBlock(string File, int Line, string Language, string Text, string Heading)
{
    /// <summary>The repository's README.md, the package READMEs (src/*/README.md) and docs/*.md.</summary>
    public static IEnumerable<string> DocumentedFiles() =>
        new[] { "README.md" }
            .Concat(Directory.GetFiles(Path.Combine(Repository.Root, "src"), "README.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            .Concat(Directory.GetFiles(Path.Combine(Repository.Root, "docs"), "*.md").Order(StringComparer.Ordinal))
            .Select(f => Path.GetRelativePath(Repository.Root, Path.Combine(Repository.Root, f)).Replace('\\', '/'))
            .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal));

    /// <summary>The fenced blocks of <paramref name="file"/> (relative to the repository root), in order.</summary>
    public static IEnumerable<CodeBlock> Read(string file)
    {
        var lines = System.IO.File.ReadAllLines(Path.Combine(Repository.Root, file));
        var heading = "";
        for (var i = 0; i < lines.Length; i++)
        {
            var trimmed = lines[i].TrimStart();
            if (trimmed.StartsWith('#') && !lines[i].StartsWith(' '))
            {
                heading = trimmed.TrimStart('#').Trim();
                continue;
            }

            if (!trimmed.StartsWith("```", StringComparison.Ordinal))
            {
                continue;
            }

            var indent = lines[i].Length - trimmed.Length;
            var language = trimmed[3..].Trim();
            var body = new List<string>();
            var start = i;
            for (i++; i < lines.Length && !lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal); i++)
            {
                body.Add(lines[i].Length >= indent ? lines[i][indent..] : lines[i].TrimStart());
            }

            yield return new CodeBlock(file, start + 1, language, string.Join('\n', body) + "\n", heading);
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{File}:{Line} ({Language}, under '{Heading}')";
}
