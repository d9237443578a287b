using System.Globalization;

namespace Scheduler.FaultTests.Servers;

/// <summary>
/// The private directory of one fault test (under <c>$TMPDIR/scheduler-faults/</c>), named <c>faults-&lt;random&gt;</c> as are the test's
/// RabbitMQ node and PostgreSQL cluster. It records the test process's id, so that a later run can tell a crashed run's leftovers (whose
/// process is gone) from a concurrent run's servers, and remove only the former.
/// </summary>
internal sealed class FaultStateDirectory : IDisposable
{
    public const string Prefix = "faults-";
    private static readonly string Root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "scheduler-faults");
    private static readonly SemaphoreSlim CleanGate = new(1, 1);
    private static bool _cleaned;

    private FaultStateDirectory(string name)
    {
        Name = name;
        Path = System.IO.Path.Combine(Root, name);
        Directory.CreateDirectory(Path);
        File.WriteAllText(OwnerFile(Path), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The name shared by the directory, the RabbitMQ node (<c>Name@localhost</c>) and the PostgreSQL cluster.</summary>
    public string Name { get; }

    public string Path { get; }

    /// <summary>Creates a new directory, after removing the leftovers of crashed runs (once per test process).</summary>
    public static async Task<FaultStateDirectory> CreateAsync()
    {
        await CleanGate.WaitAsync();
        try
        {
            if (!_cleaned)
            {
                await CleanLeftoversAsync();
                _cleaned = true;
            }
        }
        finally
        {
            CleanGate.Release();
        }

        return new FaultStateDirectory(Prefix + Guid.NewGuid().ToString("N")[..10]);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a dying broker: the next run's clean-up removes it.
        }
    }

    /// <summary>
    /// Kills the RabbitMQ nodes and drops the PostgreSQL clusters of runs whose test process is gone (a crashed or killed run), and deletes
    /// their directories. Clusters named with the prefix but without a directory are leftovers too: a run creates its directory first and
    /// deletes it last.
    /// </summary>
    private static async Task CleanLeftoversAsync()
    {
        var live = new HashSet<string>(StringComparer.Ordinal);
        if (Directory.Exists(Root))
        {
            foreach (var directory in Directory.GetDirectories(Root, Prefix + "*"))
            {
                var name = System.IO.Path.GetFileName(directory);
                if (File.Exists(OwnerFile(directory)) && int.TryParse(File.ReadAllText(OwnerFile(directory)), out var owner) && Shell.IsAlive(owner))
                {
                    live.Add(name);
                    continue;
                }

                foreach (var pid in ProcessesMentioning(directory))
                {
                    await Shell.KillAsync(pid);
                }

                Directory.Delete(directory, recursive: true);
            }
        }

        foreach (var (version, cluster) in await PrivatePostgresCluster.ListAsync())
        {
            if (cluster.StartsWith(Prefix, StringComparison.Ordinal) && !live.Contains(cluster))
            {
                await Shell.RunAsync(["pg_dropcluster", "--stop", version, cluster], check: false);
            }
        }
    }

    /// <summary>The processes whose command line names <paramref name="directory"/> (a broker's beam.smp names its data directory).</summary>
    private static IEnumerable<int> ProcessesMentioning(string directory)
    {
        foreach (var proc in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(System.IO.Path.GetFileName(proc), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            string commandLine;
            try
            {
                commandLine = File.ReadAllText(System.IO.Path.Combine(proc, "cmdline"));
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            if (commandLine.Contains(directory, StringComparison.Ordinal))
            {
                yield return pid;
            }
        }
    }

    private static string OwnerFile(string directory) => System.IO.Path.Combine(directory, "owner");
}
