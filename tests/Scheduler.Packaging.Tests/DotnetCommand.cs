using System.Diagnostics;
using System.Text;

namespace Scheduler.Packaging.Tests;

/// <summary>
/// Runs the <c>dotnet</c> command line as a user would, in a clean environment: no MSBuild variables of the test host, no telemetry, no MSBuild
/// node or compiler server left running after the command (so the run ends when the command does and leaves no process behind).
/// </summary>
internal static class DotnetCommand
{
    /// <summary>
    /// Runs <c>dotnet <paramref name="arguments"/></c> (or <paramref name="executable"/> when given) in <paramref name="workingDirectory"/> and
    /// returns its output (stdout and stderr interleaved). Throws with the output when it exits non-zero or runs longer than
    /// <paramref name="timeout"/> (the whole process tree is then killed).
    /// </summary>
    public static async Task<string> RunAsync(string workingDirectory, IReadOnlyList<string> arguments, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null, string executable = "dotnet")
    {
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // dotnet test sets MSBuild's own variables for the test host; a nested dotnet must find its SDK as from a shell.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["UseSharedCompilation"] = "false";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var command = $"{executable} {string.Join(' ', arguments)}";
        using (var deadline = new CancellationTokenSource(timeout))
        {
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"'{command}' in {workingDirectory} did not finish within {timeout.TotalMinutes:F0} min:{Environment.NewLine}{Text(output)}");
            }
        }

        process.WaitForExit(); // the end of the redirected output
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{command}' in {workingDirectory} exited with {process.ExitCode}:{Environment.NewLine}{Text(output)}");
        }

        return Text(output);
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
