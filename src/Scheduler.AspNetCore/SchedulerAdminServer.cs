using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scheduler.Core.Runtime;

namespace Scheduler.AspNetCore;

/// <summary>
/// The admin API and dashboard (<c>MapSchedulerAdmin</c> under <c>/scheduler</c>) on a listener of their own, for a scheduler node that is
/// not an ASP.NET Core application (a generic host, as Scheduler.Host): the endpoints call the node's <see cref="SchedulingService"/> and
/// log with its logging.
/// </summary>
public sealed class SchedulerAdminServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SchedulerAdminServer(WebApplication app, IReadOnlyList<Uri> addresses)
    {
        _app = app;
        Addresses = addresses;
    }

    /// <summary>Where it listens, e.g. <c>http://127.0.0.1:8080/</c> (with the port the system chose for port 0).</summary>
    public IReadOnlyList<Uri> Addresses { get; }

    /// <summary>The dashboard's address on the first of <see cref="Addresses"/>, e.g. <c>http://127.0.0.1:8080/scheduler/</c>; the admin API is
    /// under its <c>api/</c>.</summary>
    public Uri DashboardUri => new(Addresses[0], "scheduler/");

    /// <summary>Starts listening on <paramref name="urls"/> (semicolon-separated, as ASP.NET Core's <c>urls</c> setting, e.g.
    /// <c>http://127.0.0.1:8080</c>; port 0 picks a free one).</summary>
    /// <param name="node">The node's services: <see cref="SchedulingService"/>, its destination watch and <see cref="ILoggerFactory"/> are taken
    /// from them.</param>
    /// <param name="urls">Where to listen. Keep it on loopback unless operators elsewhere need it, with API keys.</param>
    /// <param name="configure">Configures the <see cref="SchedulerAdminOptions"/>, e.g. <c>o => o.Bind(configuration.GetSection("Admin"))</c>.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="OptionsValidationException">The options are invalid (a key too short, two keys with one name).</exception>
    public static async Task<SchedulerAdminServer> StartAsync(IServiceProvider node, string urls,
        Action<OptionsBuilder<SchedulerAdminOptions>>? configure = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentException.ThrowIfNullOrWhiteSpace(urls);
        var web = WebApplication.CreateSlimBuilder();
        web.WebHost.UseUrls(urls);
        web.Services.AddSingleton(node.GetRequiredService<SchedulingService>());
        web.Services.AddSingleton(node.GetRequiredService<DestinationWatch>());
        web.Services.AddSingleton(node.GetRequiredService<ILoggerFactory>()); // writes are logged with the node's lines
        web.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true); // the node prints its own
        var options = web.Services.AddSchedulerAdmin();
        configure?.Invoke(options);
        var app = web.Build();
        app.MapGet("/", () => Results.Redirect("/scheduler/")).ExcludeFromDescription();
        app.MapSchedulerAdmin();
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        return new SchedulerAdminServer(app, [.. addresses.Select(a => new Uri(a.TrimEnd('/') + "/"))]);
    }

    /// <summary>Stops listening, letting requests in flight finish within <paramref name="cancellationToken"/>.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    /// <summary>Stops and releases the listener.</summary>
    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
