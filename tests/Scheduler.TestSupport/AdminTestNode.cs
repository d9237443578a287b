using System.Collections.Concurrent;
using System.Net.Http.Headers;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Scheduler.AspNetCore;
using Scheduler.Contracts;
using Scheduler.Core.Runtime;
using Scheduler.MassTransit;

namespace Scheduler.TestSupport;

/// <summary>
/// A scheduler node on MassTransit's in-memory transport and the in-memory store, with the real admin API and dashboard
/// (<see cref="SchedulerAdminServer"/>) on a free port: what the admin API and CLI tests call over HTTP. Disposing stops both.
/// </summary>
public sealed class AdminTestNode : IAsyncDisposable
{
    private readonly IHost _node;
    private readonly SchedulerAdminServer _server;
    private readonly ConcurrentQueue<string> _log;

    private AdminTestNode(IHost node, SchedulerAdminServer server, ConcurrentQueue<string> log)
    {
        _node = node;
        _server = server;
        _log = log;
    }

    /// <summary>The admin API's root, e.g. <c>http://127.0.0.1:41234/scheduler/api/</c>.</summary>
    public Uri ApiUri => new(_server.DashboardUri, "api/");

    /// <summary>The dashboard, e.g. <c>http://127.0.0.1:41234/scheduler/</c>.</summary>
    public Uri DashboardUri => _server.DashboardUri;

    /// <summary>Where the admin listens.</summary>
    public IReadOnlyList<Uri> Addresses => _server.Addresses;

    /// <summary>The node's scheduling service, to schedule and inspect tasks in process.</summary>
    public SchedulingService Scheduling => _node.Services.GetRequiredService<SchedulingService>();

    /// <summary>The node's store, to read what a command changed.</summary>
    public Scheduler.Core.Storage.ITaskStore Store => _node.Services.GetRequiredService<Scheduler.Core.Storage.ITaskStore>();

    /// <summary>
    /// Adds to task <paramref name="taskId"/> a dead letter (a Failed instance whose one allowed attempt failed with <paramref name="error"/>),
    /// as the saga leaves one, straight in the node's store: the admin and tool tests of the requeue need one without a worker.
    /// </summary>
    /// <returns>The instance's id.</returns>
    public async Task<Guid> AddDeadLetterAsync(Guid taskId, DateTimeOffset fireTime, string error)
    {
        var instance = new Scheduler.Core.Definitions.TaskInstance
        {
            Id = Guid.CreateVersion7(), DefinitionId = taskId, FireTime = fireTime, Status = TaskInstanceState.Failed, Attempt = 1,
            ExpireAfter = TimeSpan.FromMinutes(5), Retry = RetryPolicy.None, DispatchedAt = fireTime, StartedAt = fireTime,
            FailedAt = fireTime.AddSeconds(1), FinishedAt = fireTime.AddSeconds(1), LastError = error,
        };
        var (_, added) = await _node.Services.GetRequiredService<Scheduler.Core.Storage.ITaskStore>().AddInstanceAsync(instance).ConfigureAwait(false);
        return added ? instance.Id : throw new InvalidOperationException($"Task {taskId} is missing or cancelled, or has an occurrence at {fireTime:O}.");
    }

    /// <summary>
    /// Adds to task <paramref name="taskId"/> an instance that ran twice, straight through the node's store as the runner and the saga would:
    /// attempt 1 claimed by <c>node-history</c> at <paramref name="fireTime"/>, started by worker <c>worker-host/4242</c> a second later and
    /// failed (<c>System.Exception: boom</c>) two seconds later, retried; attempt 2 claimed 10 s after the fire time, completed 1.5 s after its
    /// start. <paramref name="fireTime"/> must be later than anything else due in the store (the claims take the earliest due instance).
    /// </summary>
    /// <returns>The instance's id.</returns>
    public async Task<Guid> AddAttemptHistoryAsync(Guid taskId, DateTimeOffset fireTime)
    {
        const string Node = "node-history";
        var store = Store;
        var instance = new Scheduler.Core.Definitions.TaskInstance
        {
            Id = Guid.CreateVersion7(), DefinitionId = taskId, FireTime = fireTime, Status = TaskInstanceState.Scheduled, DueAt = fireTime,
            ExpireAfter = TimeSpan.FromMinutes(5), Retry = new RetryPolicy { MaxAttempts = 3, InitialBackoff = TimeSpan.FromSeconds(10), Jitter = false },
        };
        var (_, added) = await store.AddInstanceAsync(instance).ConfigureAwait(false);
        if (!added)
        {
            throw new InvalidOperationException($"Task {taskId} is missing or cancelled, or has an occurrence at {fireTime:O}.");
        }

        var worker = "worker-host/4242";
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var at = fireTime.AddSeconds(10 * (attempt - 1));
            var claimed = await store.ClaimDueInstancesAsync(new Scheduler.Core.Storage.ClaimRequest
            {
                Owner = Node, Now = at, Horizon = at, LeaseDuration = TimeSpan.FromSeconds(30), MaxCount = 1,
            }).ConfigureAwait(false);
            if (claimed.Claimed is not [{ Instance.Id: var id }] || id != instance.Id)
            {
                throw new InvalidOperationException($"The claim at {at:O} took another instance than {instance.Id}: something else was due earlier.");
            }

            await store.RecordDispatchesAsync(new Scheduler.Core.Storage.DispatchRecordRequest
            {
                Owner = Node, Outcomes = [new Scheduler.Core.Storage.DispatchOutcome(instance.Id, attempt, at)], QueueTimeout = TimeSpan.FromMinutes(1),
            }).ConfigureAwait(false);
            var outcome = attempt == 1
                ? new Scheduler.Core.Storage.InstanceOutcome(instance.Id, 1, Scheduler.Core.Storage.OutcomeKind.RetryScheduled, at.AddSeconds(3))
                {
                    StartedAt = at.AddSeconds(1), RetryAt = fireTime.AddSeconds(10), Error = "System.Exception: boom", Worker = worker,
                }
                : new Scheduler.Core.Storage.InstanceOutcome(instance.Id, 2, Scheduler.Core.Storage.OutcomeKind.Completed, at.AddSeconds(2.5))
                {
                    StartedAt = at.AddSeconds(1), ReportedCompletedAt = at.AddSeconds(2.5), Worker = worker,
                };
            await store.ApplyOutcomesAsync([outcome]).ConfigureAwait(false);
        }

        return instance.Id;
    }

    /// <summary>The log lines of the admin API (category <c>Scheduler.AspNetCore.Admin</c>), as "Level: message".</summary>
    public IReadOnlyList<string> AdminLog => [.. _log];

    /// <summary>Starts the node and the admin on <paramref name="urls"/>.</summary>
    public static async Task<AdminTestNode> StartAsync(Action<SchedulerAdminOptions>? configure = null, string urls = "http://127.0.0.1:0")
    {
        var log = new ConcurrentQueue<string>();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddProvider(new CapturingLoggerProvider(log)).SetMinimumLevel(LogLevel.Information);
        builder.Services.AddMassTransit(x =>
        {
            x.AddSchedulerNode(o =>
            {
                o.NodeId = "admin-test-node";
                o.DefaultDestinationQueue = "admin-test-worker"; // the tests' tasks name no queue; nothing consumes it
            }).UseInMemoryStore();
            x.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
        });
        var node = builder.Build();
        await node.StartAsync().ConfigureAwait(false);
        try
        {
            var server = await SchedulerAdminServer.StartAsync(node.Services, urls, o =>
            {
                if (configure is not null)
                {
                    o.Configure(configure);
                }
            }).ConfigureAwait(false);
            return new AdminTestNode(node, server, log);
        }
        catch
        {
            await node.StopAsync().ConfigureAwait(false);
            node.Dispose();
            throw;
        }
    }

    /// <summary>A client of the admin API (<see cref="ApiUri"/> as base address), sending <paramref name="apiKey"/> as <c>X-Api-Key</c> if given.</summary>
    public HttpClient CreateClient(string? apiKey = null)
    {
        var client = new HttpClient { BaseAddress = ApiUri };
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync().ConfigureAwait(false);
        await _node.StopAsync().ConfigureAwait(false);
        _node.Dispose();
    }

    private sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName == "Scheduler.AspNetCore.Admin" ? lines : null);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string>? lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => lines is not null && logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines?.Enqueue($"{logLevel}: {formatter(state, exception)}");
        }
    }
}
