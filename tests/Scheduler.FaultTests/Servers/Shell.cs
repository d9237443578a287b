using System.Diagnostics;

namespace Scheduler.FaultTests.Servers;

/// <summary>Runs the administration commands of the private servers (rabbitmqctl, pg_ctlcluster, kill) and fails when they fail.</summary>
internal static class Shell
{
    /// <summary>
    /// Runs <paramref name="command"/> with its output captured in a file, not a pipe: a daemon it starts (epmd, postgres) inherits no pipe of
    /// this process, so nothing waits for that pipe to close. Returns the exit code and the output; throws on a non-zero exit code when
    /// <paramref name="check"/> is set, and when it runs longer than <paramref name="timeout"/> (default 2 minutes).
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(IReadOnlyList<string> command, IReadOnlyDictionary<string, string>? environment = null,
        bool check = true, TimeSpan? timeout = null)
    {
        var log = Path.GetTempFileName();
        try
        {
            using var process = Start(command, log, environment);
            using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
            try
            {
                await process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"'{string.Join(' ', command)}' did not finish within {(timeout ?? TimeSpan.FromMinutes(2)).TotalSeconds:F0} s: " +
                    await File.ReadAllTextAsync(log));
            }

            var output = await File.ReadAllTextAsync(log);
            if (check && process.ExitCode != 0)
            {
                throw new InvalidOperationException($"'{string.Join(' ', command)}' failed with exit code {process.ExitCode}: {output.Trim()}");
            }

            return (process.ExitCode, output);
        }
        finally
        {
            File.Delete(log);
        }
    }

    /// <summary>Starts <paramref name="command"/> in the background with its output appended to <paramref name="log"/>.</summary>
    public static Process Start(IReadOnlyList<string> command, string log, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$@\" >>\"$FAULTS_LOG\" 2>&1 </dev/null");
        start.ArgumentList.Add("sh");
        foreach (var argument in command)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["FAULTS_LOG"] = log;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"Could not start '{string.Join(' ', command)}'.");
    }

    /// <summary>Sends SIGKILL to process <paramref name="pid"/> if it still runs.</summary>
    public static Task KillAsync(int pid) => RunAsync(["kill", "-9", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], check: false);

    /// <summary>Whether process <paramref name="pid"/> exists (and is not a zombie).</summary>
    public static bool IsAlive(int pid)
    {
        var status = $"/proc/{pid}/status";
        return File.Exists(status) && !File.ReadLines(status).Any(l => l.StartsWith("State:", StringComparison.Ordinal) && l.Contains('Z', StringComparison.Ordinal));
    }

    /// <summary>A TCP port on 127.0.0.1 that nothing listens on right now.</summary>
    public static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}
