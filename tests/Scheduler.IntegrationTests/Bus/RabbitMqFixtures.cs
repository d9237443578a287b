using System.Diagnostics;
using Testcontainers.RabbitMq;

namespace Scheduler.IntegrationTests.Bus;

/// <summary>
/// The RabbitMQ broker the bus tests use: <c>SCHEDULER_TEST_RABBITMQ</c> (an amqp:// URI; <c>rabbitmqctl</c> on this machine administers it)
/// if set, else a Testcontainers container if Docker is available (administered with <c>rabbitmqctl</c> inside it); otherwise the tests
/// fail, naming the script that starts one.
/// </summary>
internal static class RabbitMqServer
{
    public const string EnvironmentVariable = "SCHEDULER_TEST_RABBITMQ";
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static Uri? _uri;
    private static RabbitMqContainer? _container;

    public static async Task<Uri> GetUriAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_uri is not null)
            {
                return _uri;
            }

            if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured)
            {
                return _uri = new Uri(configured);
            }

            if (File.Exists("/var/run/docker.sock"))
            {
                _container = new RabbitMqBuilder("rabbitmq:3.13-alpine").WithUsername("guest").WithPassword("guest").Build();
                await _container.StartAsync();
                return _uri = new Uri(_container.GetConnectionString());
            }

            throw new InvalidOperationException(
                $"RabbitMQ integration tests need a broker: run scripts/services.sh and export the {EnvironmentVariable} line it prints " +
                $"(e.g. {EnvironmentVariable}=\"amqp://guest:guest@127.0.0.1:5672/\"), or make Docker available.");
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Runs <c>rabbitmqctl</c> with <paramref name="arguments"/> against the broker and fails when it does.</summary>
    public static async Task RunCtlAsync(params string[] arguments)
    {
        await GetUriAsync();
        if (_container is not null)
        {
            var result = await _container.ExecAsync(["rabbitmqctl", .. arguments]);
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.Stderr}");
            }

            return;
        }

        var start = new ProcessStartInfo("rabbitmqctl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException(
                $"The bus tests isolate themselves in RabbitMQ virtual hosts and need rabbitmqctl on PATH for the broker at {EnvironmentVariable} " +
                "(scripts/services.sh installs it).", ex);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"rabbitmqctl {string.Join(' ', arguments)} failed ({process.ExitCode}): {await stderr}{await stdout} (run it as root, or as a user with the Erlang cookie)");
            }
        }
    }
}

/// <summary>
/// A RabbitMQ virtual host of its own per test class (random name), so that published messages, which fan out by message type to every
/// subscriber on a virtual host, do not reach other tests' services. Deleted afterwards with its queues and exchanges.
/// </summary>
public sealed class RabbitMqVirtualHostFixture : IAsyncLifetime
{
    public string VirtualHost { get; } = "scheduler-test-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The broker's host and port with this virtual host, e.g. <c>amqp://guest:guest@127.0.0.1:5672/scheduler-test-…</c>.</summary>
    public Uri Uri { get; private set; } = null!;

    public string Username { get; private set; } = "guest";

    public string Password { get; private set; } = "guest";

    private bool _created;

    public async Task InitializeAsync()
    {
        var server = await RabbitMqServer.GetUriAsync();
        if (server.UserInfo is { Length: > 0 } userInfo)
        {
            var parts = userInfo.Split(':', 2);
            Username = Uri.UnescapeDataString(parts[0]);
            Password = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "";
        }

        await RabbitMqServer.RunCtlAsync("add_vhost", VirtualHost);
        _created = true;
        await RabbitMqServer.RunCtlAsync("set_permissions", "-p", VirtualHost, Username, ".*", ".*", ".*");
        Uri = new UriBuilder(server) { Path = "/" + Uri.EscapeDataString(VirtualHost) }.Uri;
    }

    public async Task DisposeAsync()
    {
        if (_created)
        {
            await RabbitMqServer.RunCtlAsync("delete_vhost", VirtualHost);
        }
    }
}

/// <summary>What a bus test class needs: its own PostgreSQL database and its own RabbitMQ virtual host, both removed afterwards.</summary>
public sealed class BusEnvironmentFixture : IAsyncLifetime
{
    public PostgresDatabaseFixture Database { get; } = new();

    public RabbitMqVirtualHostFixture Broker { get; } = new();

    public Task InitializeAsync() => Task.WhenAll(Database.InitializeAsync(), Broker.InitializeAsync());

    public async Task DisposeAsync()
    {
        try
        {
            await Broker.DisposeAsync();
        }
        finally
        {
            await Database.DisposeAsync();
        }
    }
}
