using System.Globalization;
using System.Runtime.InteropServices;

namespace Scheduler.Benchmarks;

/// <summary>The machine the numbers come from: cores, memory, load, OS, .NET, PostgreSQL and RabbitMQ versions (what is cheap to learn).</summary>
internal static class MachineInfo
{
    public static async Task<string> DescribeAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        string postgres;
        try
        {
            postgres = await PostgresAdmin.ServerVersionAsync(options.Postgres, cancellationToken);
        }
        catch (Npgsql.NpgsqlException e)
        {
            postgres = $"unreachable ({e.Message})";
        }

        var rabbit = await BrokerTarget.ServerVersionAsync(cancellationToken);
        return string.Create(CultureInfo.InvariantCulture,
            $"{Environment.ProcessorCount} cores, {MemoryGiB():F1} GiB memory, load average {LoadAverage()} at start; {RuntimeInformation.OSDescription} "
            + $"({RuntimeInformation.OSArchitecture}); {RuntimeInformation.FrameworkDescription}; PostgreSQL {postgres}; RabbitMQ {rabbit}; "
            + $"benchmark, PostgreSQL and RabbitMQ on the same machine.");
    }

    private static double MemoryGiB()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            var kb = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
            return kb is null ? double.NaN : double.Parse(kb, CultureInfo.InvariantCulture) / (1024 * 1024);
        }
        catch (IOException)
        {
            return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        }
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
