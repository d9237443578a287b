using System.Globalization;
using Npgsql;

namespace Scheduler.FaultTests.Servers;

/// <summary>
/// A PostgreSQL cluster of one fault test (Debian's <c>pg_createcluster</c>, named as the test's directory), on its own port on 127.0.0.1, with
/// the stock settings (<c>max_connections</c> 100), password login for user postgres and a database <c>scheduler</c>. Dropped afterwards.
/// </summary>
internal sealed class PrivatePostgresCluster : IAsyncDisposable
{
    private const string Database = "scheduler";
    private readonly string _version;
    private readonly string _name;
    private readonly int _port;
    private bool _created;

    private PrivatePostgresCluster(string version, string name, int port)
    {
        _version = version;
        _name = name;
        _port = port;
    }

    /// <summary>What the scheduler nodes use (pooled, as in production).</summary>
    public string ConnectionString =>
        $"Host=127.0.0.1;Port={_port};Username=postgres;Password=postgres;Database={Database}";

    /// <summary>What the test reads with: unpooled, so that a restart of the server leaves no broken connection behind to fail the next read.</summary>
    public string ReaderConnectionString => ConnectionString + ";Pooling=false;Timeout=10;Command Timeout=60";

    /// <summary>Creates and starts the cluster, sets the password and creates the database.</summary>
    public static async Task<PrivatePostgresCluster> StartAsync(FaultStateDirectory state)
    {
        var versions = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(Path.GetFileName).Where(v => File.Exists($"/usr/lib/postgresql/{v}/bin/postgres")).ToList()
            : [];
        if (versions.Count == 0)
        {
            throw new InvalidOperationException("The fault tests run their own PostgreSQL cluster and need Debian's postgresql package " +
                "(pg_createcluster; scripts/services.sh installs it).");
        }

        var version = versions.OrderBy(v => int.TryParse(v, out var n) ? n : 0).Last()!;
        var cluster = new PrivatePostgresCluster(version, state.Name, Shell.FreePort());
        try
        {
            cluster._created = true;
            await Shell.RunAsync(["pg_createcluster", version, state.Name, "--port", cluster._port.ToString(CultureInfo.InvariantCulture)]);
            await File.WriteAllTextAsync($"/etc/postgresql/{version}/{state.Name}/conf.d/faults.conf", "listen_addresses = '127.0.0.1'\n");
            await Shell.RunAsync(["pg_ctlcluster", version, state.Name, "start"]);
            await Shell.RunAsync(["runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-p",
                cluster._port.ToString(CultureInfo.InvariantCulture), "-d", "postgres",
                "-c", "ALTER ROLE postgres PASSWORD 'postgres'", "-c", $"CREATE DATABASE {Database}"]);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>The clusters on this machine, as (version, name).</summary>
    public static async Task<IReadOnlyList<(string Version, string Name)>> ListAsync()
    {
        var (exitCode, output) = await Shell.RunAsync(["pg_lsclusters", "-h"], check: false);
        return exitCode != 0
            ? []
            : output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(fields => fields.Length > 1)
                .Select(fields => (fields[0], fields[1]))
                .ToList();
    }

    /// <summary><c>pg_ctlcluster restart -m immediate</c>: every backend dies at once, uncommitted work is lost, crash recovery runs.</summary>
    public Task RestartImmediatelyAsync() => Shell.RunAsync(["pg_ctlcluster", _version, _name, "restart", "-m", "immediate"]);

    /// <summary>Opens a connection for the test's reads.</summary>
    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ReaderConnectionString);
        try
        {
            await connection.OpenAsync();
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        if (_created)
        {
            NpgsqlConnection.ClearAllPools();
            await Shell.RunAsync(["pg_dropcluster", "--stop", _version, _name], check: false);
        }
    }
}
