using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using MassTransit;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scheduler.Contracts;
using Scheduler.Core.Runtime;
using Scheduler.MassTransit;

namespace Scheduler.IntegrationTests.Admin;

/// <summary><c>MapSchedulerAdmin</c> in an ASP.NET Core application that runs a node and has its own authentication: the admin obeys the host's
/// read and write policies, and logs writes with the signed-in user.</summary>
public sealed class EmbeddedAdminTests
{
    [Fact]
    public async Task MapSchedulerAdmin_UsesTheHostsPolicies_ForReadsAndWrites()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddMassTransit(x =>
        {
            x.AddSchedulerNode(o =>
            {
                o.NodeId = "embedded";
                o.DefaultDestinationQueue = "embedded-worker"; // the test's tasks name no queue
            }).UseInMemoryStore();
            x.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
        });
        builder.Services.AddAuthentication("test").AddScheme<AuthenticationSchemeOptions, HeaderAuthentication>("test", null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy("scheduler-readers", p => p.RequireRole("reader"))
            .AddPolicy("scheduler-operators", p => p.RequireRole("operator"));
        builder.Services.AddSchedulerAdmin(o =>
        {
            o.ReadPolicy = "scheduler-readers";
            o.WritePolicy = "scheduler-operators";
        });
        await using var app = builder.Build();
        app.UseAuthentication();
        app.MapSchedulerAdmin("/ops/scheduler");
        await app.StartAsync();
        var root = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/ops/scheduler/api/");
        var task = await app.Services.GetRequiredService<SchedulingService>().ScheduleAsync(new ScheduleTask { Trigger = "0 9 * * *" });
        HttpClient Client(string? user, string? role)
        {
            var client = new HttpClient { BaseAddress = root };
            if (user is not null)
            {
                client.DefaultRequestHeaders.Add(HeaderAuthentication.UserHeader, $"{user}:{role}");
            }

            return client;
        }

        using var anonymous = Client(null, null);
        using var reader = Client("rita", "reader");
        using var operatorUser = Client("otto", "operator");
        using var stranger = Client("sam", "guest");

        // Loopback is not trusted once the host names policies: the anonymous caller is asked to sign in.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("tasks")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.GetAsync("tasks")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("tasks")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await operatorUser.GetAsync($"tasks/{task.TaskId}")).StatusCode); // the write policy lets read too
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsync($"tasks/{task.TaskId}/pause", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await operatorUser.PostAsync($"tasks/{task.TaskId}/pause", null)).StatusCode);
        Assert.Equal(TaskState.Paused, (await app.Services.GetRequiredService<SchedulingService>().GetAsync(task.TaskId))!.State);
        await app.StopAsync();
    }

    /// <summary>Signs in whoever the <see cref="UserHeader"/> names ("name:role"), for the test only.</summary>
    private sealed class HeaderAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string UserHeader = "X-Test-User";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (!Request.Headers.TryGetValue(UserHeader, out var value) || value.ToString().Split(':') is not [var name, var role])
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role)], Scheme.Name);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
        }
    }
}
