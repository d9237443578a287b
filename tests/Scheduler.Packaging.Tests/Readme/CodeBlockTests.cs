using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Scheduler.Packaging.Tests.Readme;

/// <summary>
/// Every C# block of README.md, the package READMEs and docs/ compiles against this repository's libraries: the blocks of one file are
/// compiled in order as C# script submissions (as in C# Interactive: a block sees the variables and types of the blocks before it), with
/// the namespaces a user imports and <see cref="SnippetContext"/> for what the text takes as given (<c>services</c>, <c>x</c>,
/// <c>scheduler</c>, <c>bus</c>, ...). The README's Install program is also run by <see cref="QuickStartTests"/>.
/// </summary>
public sealed class CodeBlockTests
{
    private static readonly string[] Usings =
    [
        "System", "System.Collections.Generic", "System.Linq", "System.Threading", "System.Threading.Tasks", "MassTransit",
        "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Hosting", "Microsoft.AspNetCore.Builder", "Scheduler.Contracts",
        "Scheduler.MassTransit", "Scheduler.MassTransit.Node", "Scheduler.Core.Runtime", "Scheduler.EntityFrameworkCore", "Scheduler.AspNetCore",
        "Scheduler.Packaging.Tests.Readme",
    ];

    /// <summary>The global usings of a new console app (<c>dotnet new console</c>, ImplicitUsings enabled).</summary>
    private const string ImplicitUsings = "global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; " +
        "global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks;";

    public static TheoryData<string> Files => [.. CodeBlock.DocumentedFiles().Where(f => CodeBlock.Read(f).Any(IsCSharp))];

    [Theory]
    [MemberData(nameof(Files))]
    public void CSharpBlocks_Compile(string file)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Select(p => MetadataReference.CreateFromFile(p)).ToImmutableArray();
        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, usings: Usings, nullableContextOptions: NullableContextOptions.Enable);
        var parse = new CSharpParseOptions(LanguageVersion.Latest, kind: SourceCodeKind.Script);
        CSharpCompilation? previous = null;
        var errors = new List<string>();
        foreach (var block in CodeBlock.Read(file).Where(IsCSharp))
        {
            if (block.Text.StartsWith("using ", StringComparison.Ordinal))
            {
                // A whole program (its own using directives, top-level statements): compiled as the Program.cs of a console app.
                var regular = parse.WithKind(SourceCodeKind.Regular);
                var program = CSharpCompilation.Create($"program{block.Line}",
                    [CSharpSyntaxTree.ParseText(block.Text, regular, path: block.File), CSharpSyntaxTree.ParseText(ImplicitUsings, regular)],
                    references, new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
                errors.AddRange(Errors(block, program));
                continue;
            }

            var tree = CSharpSyntaxTree.ParseText(block.Text, parse, path: block.File);
            var compilation = CSharpCompilation.CreateScriptCompilation($"block{block.Line}", tree, references, options, previous,
                typeof(object), typeof(SnippetContext));
            errors.AddRange(Errors(block, compilation));
            if (errors.Count > 0)
            {
                break; // the blocks after it build on it
            }

            previous = compilation;
        }

        Assert.True(errors.Count == 0, $"C# blocks of {file} do not compile:\n" + string.Join('\n', errors));
    }

    private static IEnumerable<string> Errors(CodeBlock block, Compilation compilation) =>
        compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d =>
            $"{block}, line {block.Line + d.Location.GetLineSpan().StartLinePosition.Line + 1}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}");

    private static bool IsCSharp(CodeBlock block) => block.Language is "csharp" or "cs" or "c#";
}
