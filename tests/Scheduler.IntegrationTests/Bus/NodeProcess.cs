using System.Collections.Concurrent;
using System.Diagnostics;

namespace Scheduler.IntegrationTests.Bus;

/// <summary>
/// A Scheduler.Host process (the deployable node, built alongside the tests) on the test class's virtual host and database, configured by
/// environment variables as in production. Disposing kills it if it still runs.
/// </summary>
internal sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private NodeProcess(Process process) => _process = process;

    /// <summary>What the process wrote to stdout and stderr so far.</summary>
    public string Output => string.Join(Environment.NewLine, _output);

    public bool HasExited => _process.HasExited;

    public static async Task<NodeProcess> StartAsync(BusEnvironmentFixture environment, string nodeId, IReadOnlyDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(settings);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(HostDll());
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["Transport__Kind"] = "RabbitMq";
        start.Environment["Transport__RabbitMq__Uri"] = environment.Broker.Uri.ToString();
        start.Environment["Store__Kind"] = "Postgres";
        start.Environment["Store__ConnectionString"] = environment.Database.ConnectionString;
        start.Environment["Store__IsolationLevel"] = "Serializable";
        start.Environment["Scheduler__NodeId"] = nodeId;
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var node = new NodeProcess(process);
        process.OutputDataReceived += (_, e) => node.Receive(e.Data);
        process.ErrorDataReceived += (_, e) => node.Receive(e.Data);
        process.Exited += (_, _) => node._started.TrySetException(new InvalidOperationException("Scheduler.Host exited during start:\n" + node.Output));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            // The host logs "Application started" after its hosted services started; the bus waits until connected (WaitUntilStarted).
            await node._started.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }

        return node;
    }

    /// <summary>Kills the process and its children at once (no graceful stop: claims stay held, nothing is released).</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }

    private void Receive(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        if (line.Contains("Application started", StringComparison.Ordinal))
        {
            _started.TrySetResult();
        }
    }

    /// <summary>src/Scheduler.Host/bin/&lt;configuration&gt;/&lt;tfm&gt;/Scheduler.Host.dll, next to this assembly's own build output.</summary>
    private static string HostDll()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        var root = testOutput;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Scheduler.sln")))
        {
            root = root.Parent;
        }

        var dll = Path.Combine(root?.FullName ?? ".", "src", "Scheduler.Host", "bin", configuration, framework, "Scheduler.Host.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Scheduler.Host is not built; build tests/Scheduler.IntegrationTests (it builds the host).", dll);
    }
}
