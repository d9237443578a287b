using System.Data.Common;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Scheduler.Host;

/// <summary>
/// What the node checks before it starts its host, so that a wrong address, credential or virtual host ends the start at once with one readable
/// line (<see cref="StartupFailure"/>) instead of a bus that retries its connection forever or a stack trace: one connection to the broker and one
/// to the store, both closed at once, both to the addresses the configuration names (nothing else is contacted).
/// </summary>
internal static class StartupChecks
{
    /// <summary>The broker as the start line and error messages show it: host and port (or the cluster's nodes) and virtual host, never the
    /// user or password.</summary>
    public static string DescribeBroker(RabbitMqSettings broker) => broker.ClusterNodes.Length > 0
        ? $"RabbitMQ cluster {string.Join(", ", broker.ClusterNodes)} virtual host '{VirtualHost(broker.Uri)}'"
        : $"RabbitMQ {broker.Uri.Host}:{Port(broker.Uri)} virtual host '{VirtualHost(broker.Uri)}'";

    /// <summary>Checks <see cref="RabbitMqSettings.Uri"/> and <see cref="RabbitMqSettings.ClusterNodes"/>.</summary>
    /// <exception cref="StartupFailure">The URI is not a RabbitMQ address or a cluster node is not <c>host[:port]</c> (exit code 2).</exception>
    public static void ValidateBroker(RabbitMqSettings broker)
    {
        var uri = broker.Uri;
        if (!uri.IsAbsoluteUri || uri.Scheme is not ("amqp" or "amqps" or "rabbitmq"))
        {
            throw StartupFailure.Configuration(
                $"Transport:RabbitMq:Uri is not a RabbitMQ address ({(uri.IsAbsoluteUri ? $"scheme '{uri.Scheme}'" : "not an absolute URI")}). " +
                "Give one like amqp://guest:guest@127.0.0.1:5672/ (amqps:// for TLS; the path names the virtual host).");
        }

        foreach (var node in broker.ClusterNodes)
        {
            if (ClusterNode(node, uri) is null)
            {
                throw StartupFailure.Configuration(
                    $"Transport:RabbitMq:ClusterNodes has '{node}', which is not host or host:port. List the broker nodes, e.g. " +
                    "Transport__RabbitMq__ClusterNodes__0=rabbit-1:5672 Transport__RabbitMq__ClusterNodes__1=rabbit-2:5672.");
            }
        }
    }

    /// <summary>The store as the start line and error messages show it: kind and server/database (or file), never the password.</summary>
    public static string DescribeStore(StoreSettings store) => store.Kind switch
    {
        StoreKind.Postgres or StoreKind.CockroachDb => $"{store.Kind} {Npgsql(store.ConnectionString!).Host}:{Npgsql(store.ConnectionString!).Port}/{Npgsql(store.ConnectionString!).Database}",
        StoreKind.Sqlite => $"Sqlite {new SqliteConnectionStringBuilder(store.ConnectionString).DataSource}",
        _ => store.Kind.ToString(),
    };

    /// <summary>Checks that <paramref name="store"/>'s connection string parses and names what it must.</summary>
    /// <exception cref="StartupFailure">It does not (exit code 2).</exception>
    public static void ValidateStore(StoreSettings store)
    {
        const string Example = "e.g. Store__ConnectionString=\"Host=127.0.0.1;Port=5432;Username=postgres;Password=…;Database=scheduler\"";
        if (store.Kind is StoreKind.Postgres or StoreKind.CockroachDb)
        {
            if (string.IsNullOrWhiteSpace(store.ConnectionString))
            {
                throw StartupFailure.Configuration($"Store:Kind is {store.Kind} but Store:ConnectionString is empty. Set it, {Example}.");
            }

            NpgsqlConnectionStringBuilder builder;
            try
            {
                builder = Npgsql(store.ConnectionString);
            }
            catch (ArgumentException ex)
            {
                // The message names the keyword, not its value, so no password is shown.
                throw StartupFailure.Configuration($"Store:ConnectionString is not a valid Npgsql connection string: {ex.Message} Fix it, {Example}.", ex);
            }

            if (string.IsNullOrWhiteSpace(builder.Host))
            {
                throw StartupFailure.Configuration($"Store:ConnectionString names no Host. Add the server, {Example}.");
            }
        }
        else if (store.Kind == StoreKind.Sqlite)
        {
            try
            {
                _ = new SqliteConnectionStringBuilder(store.ConnectionString);
            }
            catch (ArgumentException ex)
            {
                throw StartupFailure.Configuration($"Store:ConnectionString is not a valid SQLite connection string: {ex.Message} Fix it, e.g. Store__ConnectionString=\"Data Source=scheduler.db\".", ex);
            }
        }
    }

    /// <summary>Opens one connection to the broker with the node's address, user and virtual host, and closes it.</summary>
    /// <exception cref="StartupFailure">The broker refused the user or the virtual host (2), or did not answer (69).</exception>
    public static async Task CheckBrokerAsync(RabbitMqSettings broker, CancellationToken cancellationToken)
    {
        try
        {
            var connection = await ConnectAsync(broker, "scheduler-node-start-check", cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                // RabbitMQ refuses a virtual host just after the connection opens: a channel (one more round trip) makes the refusal certain.
                var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                await channel.CloseAsync(cancellationToken).ConfigureAwait(false);
                await channel.DisposeAsync().ConfigureAwait(false);
                await connection.CloseAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw BrokerFailure(broker, ex);
        }
    }

    /// <summary>
    /// A connection of our own to the broker (no automatic recovery), named <paramref name="name"/> in the broker's UI: to the host of its
    /// URI, or to the first of its cluster nodes that answers.
    /// </summary>
    public static Task<IConnection> ConnectAsync(RabbitMqSettings broker, string name, CancellationToken cancellationToken)
    {
        var uri = broker.Uri;
        var factory = new ConnectionFactory
        {
            Uri = new UriBuilder(uri) { Scheme = uri.Scheme == "amqps" ? "amqps" : "amqp" }.Uri,
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
            ClientProvidedName = name,
        };
        return broker.ClusterNodes.Length == 0
            ? factory.CreateConnectionAsync(cancellationToken)
            : factory.CreateConnectionAsync(broker.ClusterNodes.Select(n => ClusterNode(n, uri)!).ToList(), name, cancellationToken);
    }

    /// <summary>A cluster node <c>host[:port]</c> as an endpoint (the URI's port and TLS by default), or null when it does not parse.</summary>
    private static AmqpTcpEndpoint? ClusterNode(string node, Uri uri)
    {
        var tls = uri.Scheme == "amqps" ? new SslOption { Enabled = true } : new SslOption();
        return Uri.TryCreate($"amqp://{node}", UriKind.Absolute, out var parsed) && parsed.AbsolutePath == "/" && parsed.UserInfo.Length == 0 && !string.IsNullOrEmpty(parsed.Host)
            ? new AmqpTcpEndpoint(parsed.Host, parsed.IsDefaultPort || parsed.Port < 0 ? Port(uri) : parsed.Port, tls) { }
            : null;
    }

    /// <summary>Opens one connection to the store's database (no pool), and closes it; for SQLite, opens (and creates) the file.</summary>
    /// <exception cref="StartupFailure">The server refused the login or has no such database, the file cannot be opened (2), or the server did
    /// not answer (69).</exception>
    public static async Task CheckStoreAsync(StoreSettings store, CancellationToken cancellationToken)
    {
        try
        {
            DbConnection connection = store.Kind switch
            {
                StoreKind.Postgres or StoreKind.CockroachDb => new NpgsqlConnection(new NpgsqlConnectionStringBuilder(store.ConnectionString) { Pooling = false }.ConnectionString),
                StoreKind.Sqlite => new SqliteConnection(new SqliteConnectionStringBuilder(store.ConnectionString) { Pooling = false }.ConnectionString),
                _ => throw new InvalidOperationException("No connection to check."),
            };
            await using (connection.ConfigureAwait(false))
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (StoreFailure(store, ex) is { } failure && (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            throw failure;
        }
    }

    /// <summary>
    /// The <see cref="StartupFailure"/> that <paramref name="exception"/>, thrown while the store was being set up (connection, schema), stands
    /// for; <see langword="null"/> when it is not a database error.
    /// </summary>
    public static StartupFailure? StoreFailure(StoreSettings store, Exception exception)
    {
        var where = DescribeStore(store);
        const string Fix = "fix Store:ConnectionString (environment variable Store__ConnectionString)";
        foreach (var ex in Chain(exception))
        {
            switch (ex)
            {
                case PostgresException { SqlState: "28P01" or "28000" } pg:
                    return StartupFailure.Configuration($"{where} refused the login of user '{Npgsql(store.ConnectionString!).Username}' ({pg.SqlState}: {pg.MessageText}); {Fix}: Username and Password.", exception);
                case PostgresException { SqlState: "3D000" } pg:
                    return StartupFailure.Configuration($"{where}: {pg.MessageText}. Create the database (CREATE DATABASE {Npgsql(store.ConnectionString!).Database}) or {Fix}: Database.", exception);
                case PostgresException { SqlState: "42501" } pg:
                    return StartupFailure.Configuration($"{where}: user '{Npgsql(store.ConnectionString!).Username}' may not create or use the scheduler's tables ({pg.MessageText}). Grant it, or {Fix}: Username.", exception);
                case SqliteException sqlite:
                    return StartupFailure.Configuration($"{where} cannot be opened: {sqlite.Message} Check that the file's directory exists and is writable, or {Fix}.", exception);
                case NpgsqlException { InnerException: SocketException or TimeoutException or IOException } npgsql:
                    return StartupFailure.Unavailable($"{where} does not answer: {npgsql.InnerException!.Message}. Start the server, or {Fix}: Host and Port.", exception);
            }
        }

        return exception is DbException db ? StartupFailure.Unavailable($"{where} failed: {db.Message} Check the server, or {Fix}.", exception) : null;
    }

    private static StartupFailure BrokerFailure(RabbitMqSettings broker, Exception exception)
    {
        var uri = broker.Uri;
        var where = DescribeBroker(broker);
        const string Fix = "fix Transport:RabbitMq:Uri (environment variable Transport__RabbitMq__Uri)";
        foreach (var ex in Chain(exception))
        {
            if (ex is AuthenticationFailureException || ex.Message.Contains("ACCESS_REFUSED", StringComparison.Ordinal))
            {
                return StartupFailure.Configuration($"{where} refused user '{User(uri)}': wrong user name or password; {Fix}: amqp://USER:PASSWORD@host:port/vhost.", exception);
            }

            if (ex.Message.Contains("NOT_ALLOWED", StringComparison.Ordinal) || ex.Message.Contains("vhost", StringComparison.OrdinalIgnoreCase))
            {
                return StartupFailure.Configuration(
                    $"{where}: the virtual host does not exist or user '{User(uri)}' may not use it. Create it (rabbitmqctl add_vhost {VirtualHost(uri)}; rabbitmqctl set_permissions -p {VirtualHost(uri)} {User(uri)} \".*\" \".*\" \".*\") or {Fix}: the path after the port names the virtual host.",
                    exception);
            }

            if (ex is SocketException or TimeoutException or OperationCanceledException)
            {
                return StartupFailure.Unavailable($"{where} does not answer: {ex.Message}. Start the broker, or {Fix}: host and port.", exception);
            }
        }

        return StartupFailure.Unavailable($"{where} could not be reached: {Innermost(exception).Message} Check the broker, or {Fix}.", exception);
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            yield return ex;
            if (ex is AggregateException { InnerExceptions.Count: > 1 } aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.Skip(1))
                {
                    yield return inner;
                }
            }
        }
    }

    private static Exception Innermost(Exception exception) => Chain(exception).Last();

    private static NpgsqlConnectionStringBuilder Npgsql(string connectionString) => new(connectionString);

    private static int Port(Uri uri) => uri.IsDefaultPort || uri.Port < 0 ? (uri.Scheme == "amqps" ? 5671 : 5672) : uri.Port;

    internal static string VirtualHost(Uri uri) => uri.AbsolutePath is "" or "/" ? "/" : Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));

    private static string User(Uri uri) => Uri.UnescapeDataString(uri.UserInfo.Split(':', 2)[0] is { Length: > 0 } user ? user : "guest");
}
