using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Npgsql;
using Scheduler.EntityFrameworkCore;
using Scheduler.EntityFrameworkCore.Migrations;
using Scheduler.IntegrationTests.Bus;
using Scheduler.TestSupport;

namespace Scheduler.IntegrationTests;

/// <summary>
/// Scheduler.Host, run as a process against the real local RabbitMQ and PostgreSQL with one bad setting each, stops by itself with exit code
/// 2 (configuration) or 69 (a service does not answer), one line saying what failed and how to fix it, no stack trace, no password, and
/// within its start timeout.
/// </summary>
public sealed partial class HostStartFailureTests
{
    private const string Secret = "not-the-password-0451";

    /// <summary>Generous: a process start on a loaded machine takes seconds; the node's own bound is Host:StartTimeout (20 s here).</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Theory]
    [InlineData("broker unreachable", 69, "does not answer")]
    [InlineData("broker wrong virtual host", 2, "virtual host 'no-such-vhost-")]
    [InlineData("broker wrong password", 2, "refused user 'guest'")]
    [InlineData("store connection string missing", 2, "Store:ConnectionString is empty")]
    [InlineData("store connection string invalid", 2, "not a valid Npgsql connection string")]
    [InlineData("store unreachable", 69, "127.0.0.1:1/scheduler does not answer")]
    [InlineData("store wrong password", 2, "refused the login of user")]
    [InlineData("store database missing", 2, "does not exist")]
    [InlineData("option out of range", 2, "Scheduler:PollInterval is 00:00:00.0010000")]
    [InlineData("option unparsable", 2, "'Scheduler:PollInterval'")]
    [InlineData("start timeout out of range", 2, "Host:StartTimeout")]
    public async Task Start_ExitsWithOneLine_WhenConfigurationIsBad(string setting, int exitCode, string expected)
    {
        var settings = await GoodSettingsAsync();
        var broker = new UriBuilder(settings["Transport__RabbitMq__Uri"]);
        var database = new NpgsqlConnectionStringBuilder(settings["Store__ConnectionString"]);
        switch (setting)
        {
            case "broker unreachable":
                broker.Port = 1;
                break;
            case "broker wrong virtual host":
                broker.Path = "/no-such-vhost-" + Guid.NewGuid().ToString("N")[..8];
                break;
            case "broker wrong password":
                broker.Password = Secret;
                break;
            case "store connection string missing":
                settings["Store__ConnectionString"] = "";
                break;
            case "store connection string invalid":
                settings["Store__ConnectionString"] = $"Host=127.0.0.1;Password={Secret};Nonsense";
                break;
            case "store unreachable":
                database.Host = "127.0.0.1";
                database.Port = 1;
                database.Database = "scheduler";
                break;
            case "store wrong password":
                database.Password = Secret;
                break;
            case "store database missing":
                database.Database = "no_such_database_" + Guid.NewGuid().ToString("N")[..8];
                break;
            case "option out of range":
                settings["Scheduler__PollInterval"] = "00:00:00.001";
                break;
            case "option unparsable":
                settings["Scheduler__PollInterval"] = "one second";
                break;
            case "start timeout out of range":
                settings["Host__StartTimeout"] = "00:00:00.5";
                break;
        }

        settings["Transport__RabbitMq__Uri"] = broker.Uri.ToString();
        if (setting is not ("store connection string missing" or "store connection string invalid"))
        {
            settings["Store__ConnectionString"] = database.ConnectionString;
        }

        var exit = await ServiceProcess.RunNodeToExitAsync(settings, Deadline);

        AssertOneLine(exit, exitCode, expected);
    }

    [Theory]
    [InlineData("newer", "at version 9999_from_a_later_release, newer than this build knows (latest {0})")]
    [InlineData("behind with AutoMigrate off", "schema is at version none; this node needs {0} ({1} script(s) pending: {2}) and automatic migration is off. Run 'scheduler db migrate --provider postgres")]
    public async Task Start_Exits2WithOneLine_WhenTheSchemaVersionDoesNotFit(string schema, string expected)
    {
        await using var database = await PostgresDatabaseFixture.CreateAsync();
        var settings = await GoodSettingsAsync();
        settings["Store__ConnectionString"] = database.ConnectionString;
        if (schema == "newer")
        {
            await new SchemaMigrator(SchedulerDatabase.Postgres, database.ConnectionString).MigrateAsync();
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("INSERT INTO scheduler_schema_versions (script_name, applied_at) VALUES ('9999_from_a_later_release', '2030-01-01T00:00:00Z')", connection);
            await command.ExecuteNonQueryAsync();
        }
        else
        {
            settings["Store__AutoMigrate"] = "false";
        }

        var exit = await ServiceProcess.RunNodeToExitAsync(settings, Deadline);

        var scripts = SchemaMigrator.ScriptNames(SchedulerDatabase.Postgres);
        AssertOneLine(exit, 2, string.Format(System.Globalization.CultureInfo.InvariantCulture, expected, scripts[^1], scripts.Count, string.Join(", ", scripts)));
    }

    [Fact]
    public async Task Start_Exits69WithinStartTimeout_WhenBrokerAcceptsButNeverAnswers()
    {
        // A "broker" that accepts TCP connections and never speaks AMQP: the node's start hangs until Host:StartTimeout.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<TcpClient>();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                accepted.Add(await silent.AcceptTcpClientAsync(stop.Token));
            }
        });
        var settings = await GoodSettingsAsync();
        settings["Transport__RabbitMq__Uri"] = $"amqp://guest:guest@127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/";
        settings["Host__StartTimeout"] = "00:00:05";

        var exit = await ServiceProcess.RunNodeToExitAsync(settings, Deadline);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => accepting);
        accepted.ForEach(c => c.Dispose());

        AssertOneLine(exit, 69, "");
        Assert.Contains(exit.Lines, l => l.Contains("Host:StartTimeout", StringComparison.Ordinal) || l.Contains("does not answer", StringComparison.Ordinal));
    }

    private static void AssertOneLine(ServiceExit exit, int exitCode, string expected)
    {
        Assert.True(exit.ExitCode is not null, $"The node did not exit within {Deadline}:\n{exit.Output}");
        Assert.True(exitCode == exit.ExitCode, $"Exit code {exit.ExitCode}, expected {exitCode}:\n{exit.Output}");
        var failures = exit.Lines.Where(l => l.StartsWith("Scheduler node cannot start: ", StringComparison.Ordinal)).ToList();
        var line = Assert.Single(failures);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain(exit.Lines, l => StackFrame().IsMatch(l));
        Assert.True(exit.Lines.Count <= 10, $"{exit.Lines.Count} lines of output, not a flood:\n{exit.Output}"); // the start line and the failure
        Assert.DoesNotContain(Secret, exit.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Password=postgres", exit.Output, StringComparison.OrdinalIgnoreCase); // the real one of the local server
    }

    private static async Task<Dictionary<string, string>> GoodSettingsAsync()
    {
        var broker = await RabbitMqServer.GetUriAsync();
        var database = await PostgresServer.GetConnectionStringAsync();
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Transport__Kind"] = "RabbitMq",
            ["Transport__RabbitMq__Uri"] = broker.ToString(),
            ["Store__Kind"] = "Postgres",
            ["Store__ConnectionString"] = database,
            ["Host__StartTimeout"] = "00:00:20",
        };
    }

    [GeneratedRegex(@"^\s+at \S+")]
    private static partial Regex StackFrame();
}
