namespace Scheduler.Packaging.Tests.Docker;

/// <summary>
/// Runs a <see cref="Dockerfile"/> without a Docker engine: each stage gets an empty folder as its file system root, its <c>COPY</c> lines
/// stage exactly the files they name (from the build context less <c>.dockerignore</c>, or from an earlier stage with <c>--from</c>), and its
/// <c>RUN</c> lines, which must be <c>dotnet</c> commands, run in that folder with their absolute paths moved under it. A file the Dockerfile
/// forgets to copy is then missing here as it would be in the image, and restore or publish fails the same way.
/// </summary>
internal sealed class DockerBuild
{
    private readonly Dockerfile _file;
    private readonly string _context;
    private readonly string _root;
    private readonly DockerIgnore _ignore;
    private readonly Dictionary<string, string> _stageRoots = new(StringComparer.Ordinal);

    /// <param name="file">The Dockerfile.</param>
    /// <param name="context">The build context (the folder <c>docker build</c> is given).</param>
    /// <param name="root">An empty folder that receives one subfolder per stage.</param>
    public DockerBuild(Dockerfile file, string context, string root)
    {
        _file = file;
        _context = context;
        _root = root;
        _ignore = DockerIgnore.Read(context);
    }

    /// <summary>The files copied from the build context, by their path relative to the context ('/'-separated).</summary>
    public HashSet<string> CopiedFromContext { get; } = new(StringComparer.Ordinal);

    /// <summary>The image stage's working directory (its last <c>WORKDIR</c>), as a path in the image.</summary>
    public string ImageWorkingDirectory { get; private set; } = "/";

    /// <summary>Where the file system of stage <paramref name="index"/> is on this machine.</summary>
    public string StageRoot(int index) => Path.Combine(_root, $"stage{index}");

    /// <summary>Where <paramref name="imagePath"/> (an absolute path in the image) is on this machine.</summary>
    public string InImage(string imagePath) => Under(StageRoot(_file.Stages.Count - 1), imagePath);

    /// <summary>
    /// Runs every stage in order; <paramref name="run"/> executes a <c>RUN</c> line's <c>dotnet</c> arguments in a working directory on this
    /// machine and throws when the command fails.
    /// </summary>
    public async Task RunAsync(Func<string, IReadOnlyList<string>, Task> run)
    {
        for (var index = 0; index < _file.Stages.Count; index++)
        {
            var stage = _file.Stages[index];
            var stageRoot = StageRoot(index);
            Directory.CreateDirectory(stageRoot);
            if (stage.Name is not null)
            {
                _stageRoots[stage.Name] = stageRoot;
            }

            var workdir = "/";
            foreach (var instruction in stage.Instructions)
            {
                switch (instruction.Keyword)
                {
                    case "WORKDIR":
                        workdir = Resolve(workdir, instruction.Arguments);
                        Directory.CreateDirectory(Under(stageRoot, workdir));
                        break;
                    case "COPY":
                        Copy(instruction, stageRoot, workdir);
                        break;
                    case "RUN":
                        foreach (var command in Commands(Dockerfile.Words(instruction.Arguments)))
                        {
                            await RunAsync(instruction, command, stageRoot, workdir, run);
                        }

                        break;
                }
            }

            ImageWorkingDirectory = workdir;
        }
    }

    /// <summary>
    /// One command of a <c>RUN</c> line: <c>dotnet …</c> runs (absolute paths moved under the stage's root); <c>mkdir</c> creates the
    /// folders; <c>chown</c> changes nothing here (ownership is the engine's business). Anything else is refused.
    /// </summary>
    private async Task RunAsync(DockerInstruction instruction, List<string> words, string stageRoot, string workdir,
        Func<string, IReadOnlyList<string>, Task> run)
    {
        string InStage(string w) => w.StartsWith('/') ? Under(stageRoot, w) : w;
        switch (words.Count > 0 ? words[0] : null)
        {
            case "dotnet" when !words.Any(w => w is ";" or "|" or "||"):
                await run(Under(stageRoot, workdir), words.Skip(1).Select(InStage).ToList());
                break;
            case "mkdir":
                foreach (var folder in words.Skip(1).Where(w => !w.StartsWith('-')))
                {
                    Directory.CreateDirectory(Under(stageRoot, Resolve(workdir, folder)));
                }

                break;
            case "chown":
                break;
            default:
                throw new InvalidOperationException($"{_file.Path}:{instruction.Line}: only dotnet, mkdir and chown commands are emulated in RUN: {instruction.Arguments}");
        }
    }

    private void Copy(DockerInstruction instruction, string stageRoot, string workdir)
    {
        var words = Dockerfile.Words(instruction.Arguments).ToList();
        var from = words.FirstOrDefault(w => w.StartsWith("--from=", StringComparison.Ordinal))?["--from=".Length..];
        words.RemoveAll(w => w.StartsWith("--", StringComparison.Ordinal));
        if (words.Count < 2)
        {
            throw new InvalidOperationException($"{_file.Path}:{instruction.Line}: COPY needs a source and a destination.");
        }

        var destination = Resolve(workdir, words[^1]);
        var toFolder = words[^1].EndsWith('/') || words.Count > 2;
        foreach (var source in words[..^1])
        {
            if (source.Contains('*', StringComparison.Ordinal) || source.Contains('?', StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"{_file.Path}:{instruction.Line}: wildcards in COPY are not emulated: {source}");
            }

            var (sourcePath, fromContext) = from is null
                ? (Path.Combine(_context, source.Trim('/')), true)
                : (Under(_stageRoots.TryGetValue(from, out var r) ? r : throw new InvalidOperationException($"{_file.Path}:{instruction.Line}: no stage '{from}'."), source), false);
            var relative = fromContext ? Relative(sourcePath) : null;
            if ((!File.Exists(sourcePath) && !Directory.Exists(sourcePath)) || (relative is not null && _ignore.Excludes(relative)))
            {
                throw new InvalidOperationException($"{_file.Path}:{instruction.Line}: COPY {source}: not found in the build context" +
                    (from is null ? " (or excluded by .dockerignore)" : $" of stage {from}") + ", so docker build fails here too.");
            }

            if (Directory.Exists(sourcePath))
            {
                // A folder's contents (not the folder itself) go to the destination folder.
                foreach (var file in Directory.EnumerateFiles(sourcePath, "*", SearchOption.AllDirectories))
                {
                    var fileRelative = fromContext ? Relative(file) : null;
                    if (fileRelative is not null && _ignore.Excludes(fileRelative))
                    {
                        continue;
                    }

                    CopyFile(file, Under(stageRoot, destination + "/" + Path.GetRelativePath(sourcePath, file).Replace('\\', '/')), fileRelative);
                }
            }
            else
            {
                CopyFile(sourcePath, Under(stageRoot, toFolder ? destination + "/" + Path.GetFileName(sourcePath) : destination), relative);
            }
        }
    }

    private void CopyFile(string source, string target, string? contextRelative)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(source, target, overwrite: true);
        if (contextRelative is not null)
        {
            CopiedFromContext.Add(contextRelative);
        }
    }

    /// <summary>The commands of a shell-form RUN line joined by <c>&amp;&amp;</c>.</summary>
    private static IEnumerable<List<string>> Commands(IReadOnlyList<string> words)
    {
        var command = new List<string>();
        foreach (var word in words)
        {
            if (word == "&&")
            {
                yield return command;
                command = [];
            }
            else
            {
                command.Add(word);
            }
        }

        yield return command;
    }

    private string Relative(string path) => Path.GetRelativePath(_context, path).Replace('\\', '/');

    private static string Resolve(string workdir, string path) =>
        (path.StartsWith('/') ? path : workdir.TrimEnd('/') + "/" + path).TrimEnd('/') is { Length: > 0 } p ? p : "/";

    private static string Under(string stageRoot, string imagePath) => Path.Combine(stageRoot, imagePath.TrimStart('/'));
}
