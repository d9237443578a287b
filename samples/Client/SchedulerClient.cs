using System.Globalization;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Scheduler.Contracts;

namespace Client;

/// <summary>Sends the commands with MassTransit request clients and prints the replies.</summary>
public sealed class SchedulerClient(IRequestClient<ScheduleTask> scheduleClient, IRequestClient<CancelTask> cancelClient)
{
    public const int Success = 0;
    public const int Failed = 1;
    public const int InvalidUsage = 2;

    /// <summary>Starts a bus on <paramref name="rabbitMq"/>, runs <paramref name="action"/> with commands sent to <paramref name="cluster"/>'s
    /// queues, and stops the bus.</summary>
    /// <remarks><paramref name="action"/> gets a token that is cancelled after the timeout too: MassTransit's request timeout covers the wait for
    /// the reply, not the send of the request, which blocks while the broker is unreachable.</remarks>
    public static async Task<int> Run(Uri rabbitMq, SchedulerEndpoints cluster, int timeoutSeconds, Func<SchedulerClient, CancellationToken, Task<int>> action,
        CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromSeconds(timeoutSeconds);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddOptions<MassTransitHostOptions>().Configure(o => o.WaitUntilStarted = true);
        builder.Services.AddMassTransit(x =>
        {
            // Sent to the cluster's queues (--cluster, the nodes' Scheduler:ClusterName); one node of the cluster takes each command.
            x.AddRequestClient<ScheduleTask>(SchedulerEndpoints.Address(cluster.ScheduleTask), RequestTimeout.After(s: timeoutSeconds));
            x.AddRequestClient<CancelTask>(SchedulerEndpoints.Address(cluster.CancelTask), RequestTimeout.After(s: timeoutSeconds));
            x.AddTransient<SchedulerClient>();
            x.ConfigureUsageTelemetryOptions(o => o.Enabled = false); // no outbound connection besides the broker
            x.UsingRabbitMq((_, cfg) => cfg.Host(rabbitMq));
        });

        using var host = builder.Build();
        using var connecting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connecting.CancelAfter(timeout);
        try
        {
            await host.StartAsync(connecting.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"Could not connect to RabbitMQ at {rabbitMq.Host}:{rabbitMq.Port} within {timeoutSeconds} s (--rabbitmq, --timeout).");
            return Failed;
        }

        using var requesting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        requesting.CancelAfter(timeout);
        try
        {
            using var scope = host.Services.CreateScope();
            return await action(scope.ServiceProvider.GetRequiredService<SchedulerClient>(), requesting.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"RabbitMQ at {rabbitMq.Host}:{rabbitMq.Port} did not take the command, or no node answered, within {timeoutSeconds} s (--timeout).");
            return Failed;
        }
        catch (RequestTimeoutException)
        {
            await Console.Error.WriteLineAsync($"No scheduler node answered within {timeoutSeconds} s: is Scheduler.Host running against {rabbitMq.Host}:{rabbitMq.Port}?");
            return Failed;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    public async Task<int> Schedule(ScheduleTask command, CancellationToken cancellationToken)
    {
        var response = await scheduleClient.GetResponse<TaskScheduled, TaskRejected>(command, cancellationToken);
        if (response.Is(out Response<TaskScheduled>? accepted))
        {
            var scheduled = accepted.Message;
            var next = scheduled.NextFireTime is { } fire ? Format(fire, command.TimeZone) : "never";
            Console.WriteLine($"scheduled {scheduled.TaskId} next fire {next}{(scheduled.AlreadyScheduled ? " (already scheduled: nothing new stored)" : "")}");
            return Success;
        }

        response.Is(out Response<TaskRejected>? rejected);
        await Console.Error.WriteLineAsync($"rejected: {rejected!.Message.Reason}");
        return Failed;
    }

    public async Task<int> Cancel(Guid taskId, CancellationToken cancellationToken)
    {
        var response = await cancelClient.GetResponse<TaskCancelled>(new CancelTask { TaskId = taskId }, cancellationToken);
        if (!response.Message.Found)
        {
            await Console.Error.WriteLineAsync($"not found: no task {taskId} that still fires");
            return Failed;
        }

        Console.WriteLine($"cancelled {taskId}");
        return Success;
    }

    /// <summary>The instant in UTC and, when a zone was given and the runtime knows it, in that zone too.</summary>
    private static string Format(DateTimeOffset instant, string? zone)
    {
        var utc = instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFF'Z'", CultureInfo.InvariantCulture);
        return zone is not null && TimeZoneInfo.TryFindSystemTimeZoneById(zone, out var info)
            ? $"{utc} ({TimeZoneInfo.ConvertTime(instant, info).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)} {zone})"
            : utc;
    }
}
