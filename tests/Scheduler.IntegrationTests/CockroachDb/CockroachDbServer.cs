using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using Npgsql;
using Scheduler.EntityFrameworkCore;

namespace Scheduler.IntegrationTests.CockroachDb;

/// <summary>
/// A CockroachDB server in a container (Testcontainers' generic builder; its CockroachDb module is not served by our package source), one
/// insecure node with a database for the tests of one class. Used only by scripts/test-cockroachdb.sh, which needs a Docker engine and
/// names the image in <see cref="ImageVariable"/>; the default test command compiles this fixture but runs no test on it.
/// </summary>
public sealed class CockroachDbServer : IAsyncLifetime
{
    /// <summary>The environment variable naming the image, e.g. <c>cockroachdb/cockroach:v25.4.1</c> (set by scripts/test-cockroachdb.sh).</summary>
    public const string ImageVariable = "SCHEDULER_COCKROACH_IMAGE";

    private const int SqlPort = 26257;
    private IContainer? _container;

    /// <summary>The Npgsql connection string of the test database.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>The store as a CockroachDB node uses it (<c>UseCockroachDb</c>: its dialect, SERIALIZABLE).</summary>
    public static EfTaskStoreOptions Options => new() { Database = SchedulerDatabase.CockroachDb };

    public async Task InitializeAsync()
    {
        var image = Environment.GetEnvironmentVariable(ImageVariable) is { Length: > 0 } named
            ? named
            : throw new InvalidOperationException($"{ImageVariable} is not set: run the CockroachDB tests with scripts/test-cockroachdb.sh (needs Docker).");
        _container = new ContainerBuilder(image)
            .WithCommand("start-single-node", "--insecure")
            .WithPortBinding(SqlPort, assignRandomHostPort: true)
            .WithWaitStrategy(Wait.ForUnixContainer().UntilCommandIsCompleted("/cockroach/cockroach", "sql", "--insecure", "--execute=SELECT 1"))
            .Build();
        await _container.StartAsync();
        var server = new NpgsqlConnectionStringBuilder
        {
            Host = _container.Hostname, Port = _container.GetMappedPublicPort(SqlPort), Username = "root", SslMode = SslMode.Disable,
        };
        await using (var connection = new NpgsqlConnection(server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("CREATE DATABASE scheduler_test", connection);
            await command.ExecuteNonQueryAsync();
        }

        server.Database = "scheduler_test";
        ConnectionString = server.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }
}
