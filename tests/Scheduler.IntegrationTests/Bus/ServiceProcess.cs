using System.Collections.Concurrent;
using System.Diagnostics;

namespace Scheduler.IntegrationTests.Bus;

/// <summary>
/// A deployable service of the solution (Scheduler.Host or the sample Worker, built alongside the tests) run as a process on the test class's
/// virtual host (and, for a node, its database), configured as in production. Disposing kills it if it still runs.
/// </summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _readyLine;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServiceProcess(Process process, string readyLine)
    {
        _process = process;
        _readyLine = readyLine;
    }

    /// <summary>What the process wrote to stdout and stderr so far.</summary>
    public string Output => string.Join(Environment.NewLine, _output);

    public bool HasExited => _process.HasExited;

    /// <summary>Starts Scheduler.Host as node <paramref name="nodeId"/>, configured by environment variables plus <paramref name="settings"/>.</summary>
    public static Task<ServiceProcess> StartNodeAsync(BusEnvironmentFixture environment, string nodeId, IReadOnlyDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(settings);
        var start = StartInfo(Path.Combine("src", "Scheduler.Host"), "Scheduler.Host.dll");
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

        // The host logs "Application started" after its hosted services started; the bus waits until connected (WaitUntilStarted).
        return StartAsync(start, "Application started");
    }

    /// <summary>
    /// Starts the sample Worker as <paramref name="name"/> on <paramref name="queue"/>, configured by command-line arguments plus
    /// <paramref name="settings"/> (Worker:* keys). It prints a line per TaskDue it receives.
    /// </summary>
    public static Task<ServiceProcess> StartWorkerAsync(BusEnvironmentFixture environment, string name, string queue,
        IReadOnlyDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(settings);
        var start = StartInfo(Path.Combine("samples", "Worker"), "Worker.dll");
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        var arguments = new Dictionary<string, string>(settings)
        {
            ["Transport:RabbitMq:Uri"] = environment.Broker.Uri.ToString(),
            ["Worker:Name"] = name,
            ["Worker:Queue"] = queue,
        };
        foreach (var (key, value) in arguments)
        {
            start.ArgumentList.Add("--" + key);
            start.ArgumentList.Add(value);
        }

        // The worker prints this once its host started (its bus may still be connecting; sent messages wait in the queue).
        return StartAsync(start, "consuming TaskDue from queue");
    }

    /// <summary>Kills the process and its children at once (no graceful stop: claims stay held, messages stay unacknowledged).</summary>
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

    private static async Task<ServiceProcess> StartAsync(ProcessStartInfo start, string readyLine)
    {
        var name = Path.GetFileNameWithoutExtension(start.ArgumentList[0]);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var service = new ServiceProcess(process, readyLine);
        process.OutputDataReceived += (_, e) => service.Receive(e.Data);
        process.ErrorDataReceived += (_, e) => service.Receive(e.Data);
        process.Exited += (_, _) => service._started.TrySetException(new InvalidOperationException($"{name} exited during start:\n" + service.Output));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await service._started.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }

        return service;
    }

    private void Receive(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        if (line.Contains(_readyLine, StringComparison.Ordinal))
        {
            _started.TrySetResult();
        }
    }

    /// <summary>
    /// <c>dotnet &lt;project&gt;/bin/&lt;configuration&gt;/&lt;tfm&gt;/&lt;dll&gt;</c>: the service's build output next to this assembly's own
    /// (the test project builds it through a ProjectReference that does not reference its assembly).
    /// </summary>
    private static ProcessStartInfo StartInfo(string project, string dllName)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        var root = testOutput;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Scheduler.sln")))
        {
            root = root.Parent;
        }

        var dll = Path.Combine(root?.FullName ?? ".", project, "bin", configuration, framework, dllName);
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{dllName} is not built; build tests/Scheduler.IntegrationTests (it builds {project}).", dll);
        }

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        return start;
    }
}
