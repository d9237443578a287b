using Npgsql;
using Scheduler.TestSupport;

namespace Scheduler.IntegrationTests.Bus;

/// <summary>Reads the claims a node process holds, straight from PostgreSQL (the process's store is not reachable from the test).</summary>
internal static class Leases
{
    /// <summary>Waits until every instance of <paramref name="taskIds"/> is claimed by <paramref name="owner"/>; returns each lease's expiry.</summary>
    public static async Task<Dictionary<Guid, DateTimeOffset>> WaitForAsync(string connectionString, IReadOnlyCollection<Guid> taskIds, string owner)
    {
        var leases = new Dictionary<Guid, DateTimeOffset>();
        await Wait.UntilAsync(async () =>
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT id, lease_expires_at FROM task_instances WHERE definition_id = ANY(@ids) AND lease_owner = @owner AND status = 5", connection);
            command.Parameters.AddWithValue("ids", taskIds.ToArray());
            command.Parameters.AddWithValue("owner", owner);
            await using var reader = await command.ExecuteReaderAsync();
            leases.Clear();
            while (await reader.ReadAsync())
            {
                leases[reader.GetGuid(0)] = reader.GetFieldValue<DateTimeOffset>(1);
            }

            return leases.Count == taskIds.Count;
        }, $"{owner} claims all {taskIds.Count} instances");
        return leases;
    }
}
