using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Scheduler.TestSupport;

/// <summary>
/// A deployable service of the solution (Scheduler.Host or the sample Worker, built alongside the tests) run as a process on a test's broker
/// (and, for a node, its database), configured as in production. Disposing kills it if it still runs.
/// </summary>
/// <remarks>A test project runs these by referencing <c>src/Scheduler.Host</c> and <c>samples/Worker</c> with
/// <c>ReferenceOutputAssembly="false"</c>, which builds them next to its own output.</remarks>
public sealed class ServiceProcess : IAsyncDisposable
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

    /// <summary>The lines the process wrote to stdout and stderr so far, in order.</summary>
    public IReadOnlyList<string> Lines => [.. _output];

    public bool HasExited => _process.HasExited;

    /// <summary>The operating system's id of the process.</summary>
    public int Id => _process.Id;

    /// <summary>
    /// Starts Scheduler.Host as node <paramref name="nodeId"/> on the RabbitMQ broker <paramref name="broker"/> (an amqp:// URI with its
    /// virtual host) and the PostgreSQL database <paramref name="connectionString"/>, configured by environment variables plus
    /// <paramref name="settings"/> (e.g. <c>Scheduler__LeaseDuration</c>).
    /// </summary>
    public static Task<ServiceProcess> StartNodeAsync(Uri broker, string connectionString, string nodeId, IReadOnlyDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentNullException.ThrowIfNull(settings);
        var start = StartInfo(Path.Combine("src", "Scheduler.Host"), "Scheduler.Host.dll");
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["Transport__Kind"] = "RabbitMq";
        start.Environment["Transport__RabbitMq__Uri"] = broker.ToString();
        start.Environment["Store__Kind"] = "Postgres";
        start.Environment["Store__ConnectionString"] = connectionString;
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
    /// Runs Scheduler.Host configured by exactly <paramref name="settings"/> (environment variables, e.g. <c>Store__Kind</c>; the rest comes from
    /// its appsettings.json) until it exits by itself, or kills it after <paramref name="deadline"/>.
    /// </summary>
    /// <returns>Its exit code (<see langword="null"/> when it was killed at the deadline), its output lines and how long it ran.</returns>
    public static Task<ServiceExit> RunNodeToExitAsync(IReadOnlyDictionary<string, string> settings, TimeSpan deadline)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var start = StartInfo(Path.Combine("src", "Scheduler.Host"), "Scheduler.Host.dll");
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        return RunToExitAsync(start, deadline);
    }

    /// <summary>
    /// Runs the sample Client (samples/Client, built alongside the tests) with <paramref name="arguments"/>, e.g.
    /// <c>schedule "in 5 seconds" --queue q --cluster c --rabbitmq amqp://…</c>, until it exits, or kills it after <paramref name="deadline"/>.
    /// </summary>
    /// <returns>Its exit code (<see langword="null"/> when it was killed at the deadline), its output lines and how long it ran.</returns>
    public static Task<ServiceExit> RunClientAsync(IReadOnlyList<string> arguments, TimeSpan deadline)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var start = StartInfo(Path.Combine("samples", "Client"), "Client.dll");
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return RunToExitAsync(start, deadline);
    }

    private static async Task<ServiceExit> RunToExitAsync(ProcessStartInfo start, TimeSpan deadline)
    {
        var output = new ConcurrentQueue<string>();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Enqueue(output, e.Data);
        process.ErrorDataReceived += (_, e) => Enqueue(output, e.Data);
        var clock = Stopwatch.StartNew();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(deadline);
        int? exitCode;
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            exitCode = process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            exitCode = null;
        }

        return new ServiceExit(exitCode, [.. output], clock.Elapsed);
    }

    /// <summary>
    /// Starts the sample Worker as <paramref name="name"/> on <paramref name="queue"/> of the broker <paramref name="broker"/>, configured by
    /// command-line arguments plus <paramref name="settings"/> (Worker:* keys). It prints a line per TaskDue it receives.
    /// </summary>
    public static Task<ServiceProcess> StartWorkerAsync(Uri broker, string name, string queue, IReadOnlyDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentNullException.ThrowIfNull(settings);
        var start = StartInfo(Path.Combine("samples", "Worker"), "Worker.dll");
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        var arguments = new Dictionary<string, string>(settings)
        {
            ["Transport:RabbitMq:Uri"] = broker.ToString(),
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

    /// <summary>Freezes the process (SIGSTOP): it holds its connections, claims and messages but does nothing until <see cref="ResumeAsync"/>.</summary>
    public Task PauseAsync() => SignalAsync("STOP");

    /// <summary>Lets a paused process run again (SIGCONT).</summary>
    public Task ResumeAsync() => SignalAsync("CONT");

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }

    private async Task SignalAsync(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, _process.Id.ToString(CultureInfo.InvariantCulture)])
            { UseShellExecute = false })!;
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {_process.Id} failed with exit code {kill.ExitCode}.");
        }
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

    private static void Enqueue(ConcurrentQueue<string> output, string? line)
    {
        if (line is not null)
        {
            output.Enqueue(line);
        }
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
            throw new FileNotFoundException($"{dllName} is not built; build the test project (it references {project} to build it).", dll);
        }

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        return start;
    }
}
