using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Scheduler.Host;

/// <summary>
/// Serves the node's health over HTTP at <c>Health:Urls</c> (off unless configured; e.g. <c>http://127.0.0.1:8081</c>, loopback only unless
/// you name another address): <c>GET /health/live</c> answers 200 while the process runs, <c>GET /health/ready</c> 200 when every check tagged
/// <c>ready</c> is healthy and 503 otherwise, with each check's name, status and description as text: <c>scheduler</c> (sends to the broker
/// failing, clock too far from the database's), <c>scheduler-loops</c> (a loop that has not ticked for five of its intervals),
/// <c>scheduler-store</c> (the store does not answer within 5 s) and <c>masstransit-bus</c> (the bus not connected). Nothing else is served:
/// no data, no writes. <c>Scheduler.Host --probe URL</c> (<see cref="HealthProbe"/>) queries it from inside a container.
/// </summary>
internal sealed partial class HealthEndpoint(HealthCheckService health, string urls, ILogger<HealthEndpoint> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var web = WebApplication.CreateSlimBuilder();
        web.WebHost.UseUrls(urls);
        web.Logging.ClearProviders();
        _app = web.Build();
        _app.MapGet("/health/live", () => Results.Text("Healthy"));
        _app.MapGet("/health/ready", async (CancellationToken ct) =>
        {
            var report = await health.CheckHealthAsync(check => check.Tags.Contains("ready"), ct).ConfigureAwait(false);
            var lines = report.Entries.Select(e => $"{e.Key}: {e.Value.Status} - {e.Value.Description}");
            return Results.Text($"{report.Status}\n{string.Join('\n', lines)}\n",
                statusCode: report.Status == HealthStatus.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        LogListening(urls);
    }

    public Task StopAsync(CancellationToken cancellationToken) => _app?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    public ValueTask DisposeAsync() => _app?.DisposeAsync() ?? ValueTask.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Health endpoints /health/live and /health/ready listen on {Urls}")]
    private partial void LogListening(string urls);
}
