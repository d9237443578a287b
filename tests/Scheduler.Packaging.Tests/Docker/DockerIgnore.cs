using System.Text;
using System.Text.RegularExpressions;

namespace Scheduler.Packaging.Tests.Docker;

/// <summary>
/// A build context's <c>.dockerignore</c>, matched as Docker matches it: each line a pattern relative to the context's root (Go's
/// <c>filepath.Match</c> with <c>**</c> for any number of folders, leading and trailing slashes dropped), a later <c>!pattern</c> taking a
/// path back, and a folder that is excluded excluding everything below it.
/// </summary>
internal sealed class DockerIgnore
{
    private readonly List<(Regex Pattern, bool Include)> _rules;

    private DockerIgnore(List<(Regex, bool)> rules) => _rules = rules;

    /// <summary>The rules of <c>.dockerignore</c> in <paramref name="context"/> (none when it has no such file).</summary>
    public static DockerIgnore Read(string context)
    {
        var file = Path.Combine(context, ".dockerignore");
        var rules = new List<(Regex, bool)>();
        if (File.Exists(file))
        {
            foreach (var raw in File.ReadAllLines(file))
            {
                var line = raw.Trim();
                if (line.Length == 0 || line.StartsWith('#'))
                {
                    continue;
                }

                var include = line.StartsWith('!');
                rules.Add((ToRegex(line.TrimStart('!').Trim().Trim('/')), include));
            }
        }

        return new DockerIgnore(rules);
    }

    /// <summary>Whether <paramref name="relativePath"/> (relative to the context, '/'-separated) stays out of the build context.</summary>
    public bool Excludes(string relativePath)
    {
        var parts = relativePath.Trim('/').Split('/');
        for (var i = 1; i <= parts.Length; i++)
        {
            if (Matches(string.Join('/', parts[..i])))
            {
                return true;
            }
        }

        return false;
    }

    private bool Matches(string path)
    {
        var excluded = false;
        foreach (var (pattern, include) in _rules)
        {
            if (pattern.IsMatch(path))
            {
                excluded = !include;
            }
        }

        return excluded;
    }

    private static Regex ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                var slash = i + 2 < pattern.Length && pattern[i + 2] == '/';
                regex.Append(slash ? "(.*/)?" : ".*");
                i += slash ? 2 : 1;
            }
            else if (c == '*')
            {
                regex.Append("[^/]*");
            }
            else if (c == '?')
            {
                regex.Append("[^/]");
            }
            else
            {
                regex.Append(Regex.Escape(c.ToString()));
            }
        }

        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
