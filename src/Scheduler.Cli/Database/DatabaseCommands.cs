using System.CommandLine;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Scheduler.EntityFrameworkCore;
using Scheduler.EntityFrameworkCore.Migrations;

namespace Scheduler.Cli.Database;

/// <summary>
/// <c>scheduler db migrate</c> and <c>scheduler db status</c>: the store's versioned schema (docs/storage.md, "Schema versions") from the
/// command line, for deployments that migrate before they start nodes with <c>Store:AutoMigrate=false</c>.
/// </summary>
internal static class DatabaseCommands
{
    private static readonly string[] Providers = ["postgres", "cockroachdb", "sqlite"];

    public static Command Create(TextWriter output, TextWriter error, TimeProvider clock)
    {
        var connection = new Option<string>("--connection")
        {
            Description = "The database's connection string: Npgsql for postgres and cockroachdb (Host=…;Username=…;Password=…;Database=…), " +
                "Microsoft.Data.Sqlite for sqlite (Data Source=scheduler.db). Default: $SCHEDULER_DB_CONNECTION.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SCHEDULER_DB_CONNECTION") ?? "",
            Recursive = true,
        };
        connection.Validators.Add(r =>
        {
            if (string.IsNullOrWhiteSpace(r.GetValueOrDefault<string>()))
            {
                r.AddError("--connection is missing. Give the database's connection string, e.g. --connection \"Host=127.0.0.1;Username=postgres;Password=…;Database=scheduler\".");
            }
        });
        var provider = new Option<string>("--provider")
        {
            Description = "The database engine: postgres, cockroachdb or sqlite. Default: postgres.",
            DefaultValueFactory = _ => "postgres",
            Recursive = true,
        };
        provider.AcceptOnlyFromAmong(Providers);
        var cluster = new Option<string?>("--cluster")
        {
            Description = "Also record the database as the cluster's of this name (as the first node of Scheduler:ClusterName would); refused if it belongs to another.",
        };

        var migrate = new Command("migrate", "Apply the schema scripts the database has not run yet, in order, and print each one applied.") { cluster };
        migrate.SetAction((result, ct) => RunAsync(result, connection, provider, error, async (database, connectionString) =>
        {
            var migrator = new SchemaMigrator(database, connectionString);
            var applied = await migrator.MigrateAsync(ct).ConfigureAwait(false);
            foreach (var script in applied)
            {
                output.WriteLine($"applied {script}");
            }

            output.WriteLine(applied.Count == 0
                ? $"schema already at version {migrator.LatestVersion}; nothing to apply"
                : $"schema at version {migrator.LatestVersion}");
            if (result.GetValue(cluster) is { Length: > 0 } clusterName)
            {
                var identity = await CreateStore(database, connectionString).JoinClusterAsync(clusterName, clock.GetUtcNow(), ct).ConfigureAwait(false);
                if (identity.ClusterName != clusterName)
                {
                    error.WriteLine($"The database belongs to cluster '{identity.ClusterName}', not '{clusterName}'. Give --cluster {identity.ClusterName}, or use another database for cluster '{clusterName}'.");
                    return SchedulerCli.InvalidInput;
                }

                output.WriteLine($"cluster {identity.ClusterName} (database {identity.DatabaseId})");
            }

            return SchedulerCli.Success;
        }));

        var status = new Command("status",
            "List the schema scripts the database has applied, those pending, and any from a newer release; exit code 0 when current, 6 when scripts are pending, 2 when newer.");
        status.SetAction((result, ct) => RunAsync(result, connection, provider, error, async (database, connectionString) =>
        {
            if (database == SchedulerDatabase.Sqlite && new SqliteConnectionStringBuilder(connectionString).DataSource is { Length: > 0 } file
                && file != ":memory:" && !File.Exists(file))
            {
                // Opening it would create an empty database and report it as version none: a mistyped path would go unnoticed.
                error.WriteLine($"The SQLite file '{Path.GetFullPath(file)}' does not exist. Check --connection (Data Source=…); 'scheduler db migrate' creates it.");
                return SchedulerCli.Unavailable;
            }

            var migrator = new SchemaMigrator(database, connectionString);
            var state = await migrator.GetStatusAsync(ct).ConfigureAwait(false);
            foreach (var script in state.Applied)
            {
                output.WriteLine($"{(state.Unknown.Contains(script) ? "unknown" : "applied"),-8} {script}");
            }

            foreach (var script in state.Pending)
            {
                output.WriteLine($"pending  {script}");
            }

            output.WriteLine(state.IsNewer
                ? $"database at version {state.DatabaseVersion}, newer than this tool knows ({migrator.LatestVersion}): upgrade the tool and the nodes"
                : state.IsBehind
                    ? $"database at version {state.DatabaseVersion}, behind this tool's {migrator.LatestVersion}: run 'scheduler db migrate'"
                    : $"database at version {state.DatabaseVersion}, current");
            return state.IsNewer ? SchedulerCli.InvalidInput : state.IsBehind ? SchedulerCli.SchemaBehind : SchedulerCli.Success;
        }));

        return new Command("db", "Create, upgrade and inspect the store's schema (versioned scripts, journaled in scheduler_schema_versions).")
        {
            migrate, status, connection, provider,
        };
    }

    private static async Task<int> RunAsync(ParseResult result, Option<string> connection, Option<string> provider, TextWriter error,
        Func<SchedulerDatabase, string, Task<int>> action)
    {
        var database = result.GetValue(provider) switch
        {
            "sqlite" => SchedulerDatabase.Sqlite,
            "cockroachdb" => SchedulerDatabase.CockroachDb,
            _ => SchedulerDatabase.Postgres,
        };
        try
        {
            return await action(database, result.GetValue(connection)!).ConfigureAwait(false);
        }
        catch (SchemaVersionException ex)
        {
            error.WriteLine(ex.Message);
            return SchedulerCli.InvalidInput;
        }
        catch (ArgumentException ex)
        {
            // A connection string the provider cannot parse; its message names the keyword, never the password.
            error.WriteLine($"--connection is not a valid {database} connection string: {ex.Message}");
            return SchedulerCli.InvalidInput;
        }
        catch (DbException ex)
        {
            error.WriteLine($"The {database} database failed: {ex.Message}");
            return SchedulerCli.Unavailable;
        }
    }

    private static EfTaskStore<SchedulerDbContext> CreateStore(SchedulerDatabase database, string connectionString)
    {
        var options = new EfTaskStoreOptions { Database = database };
        var builder = new DbContextOptionsBuilder<SchedulerDbContext>();
        builder.UseSchedulerDatabase(connectionString, options);
        return new EfTaskStore<SchedulerDbContext>(new PooledDbContextFactory<SchedulerDbContext>(builder.Options), options);
    }
}
