using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Scheduler.AspNetCore;

namespace Scheduler.Host;

/// <summary>
/// Serves the admin API and dashboard (<see cref="SchedulerAdminServer"/>: under <c>/scheduler</c>) at <c>Admin:Urls</c>: off unless configured,
/// e.g. <c>http://127.0.0.1:8080</c> (loopback only unless you name another address). Keys and the other access settings are the <c>Admin</c>
/// section (<see cref="SchedulerAdminOptions"/>: <c>Admin:ApiKeys:0:Name</c>, <c>:Key</c>, <c>:Role</c>, <c>Admin:TrustLoopback</c>, <c>Admin:LoopbackRole</c>).
/// Logs the dashboard's URL once listening.
/// </summary>
internal sealed partial class AdminEndpoint(IServiceProvider node, IConfiguration configuration, string urls, ILogger<AdminEndpoint> logger)
    : IHostedService, IAsyncDisposable
{
    private SchedulerAdminServer? _server;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _server = await SchedulerAdminServer.StartAsync(node, urls, o => o.Bind(configuration.GetSection("Admin")), cancellationToken).ConfigureAwait(false);
        var keys = configuration.GetSection("Admin:ApiKeys").GetChildren().Count();
        foreach (var address in _server.Addresses)
        {
            LogListening(address);
            if (keys == 0 && !(address.IsLoopback || (IPAddress.TryParse(address.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip))))
            {
                LogBeyondLoopbackWithoutKeys(address);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => _server?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Admin dashboard at {Root}scheduler/ (admin API under {Root}scheduler/api/, OpenAPI document {Root}scheduler/openapi/scheduler-admin.json)")]
    private partial void LogListening(Uri root);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The admin listens on {Address}, beyond loopback, and no Admin:ApiKeys are configured: every request from another host is refused (401). Add a key, e.g. Admin__ApiKeys__0__Name=ops Admin__ApiKeys__0__Key=$(openssl rand -hex 24) Admin__ApiKeys__0__Role=Write")]
    private partial void LogBeyondLoopbackWithoutKeys(Uri address);
}
