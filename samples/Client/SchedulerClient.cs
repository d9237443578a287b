using System.Globalization;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Scheduler.Contracts;
using Scheduler.MassTransit;

namespace Client;

/// <summary>Runs one command through <see cref="ISchedulerClient"/> (registered by <c>AddSchedulerClient</c>) and prints the reply.</summary>
public static class SchedulerClient
{
    public const int Success = 0;
    public const int Failed = 1;
    public const int InvalidUsage = 2;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Starts a bus on <paramref name="rabbitMq"/>, runs <paramref name="action"/> with the typed client talking to the nodes of
    /// <paramref name="cluster"/> (their Scheduler:ClusterName) and stops the bus.</summary>
    /// <remarks><paramref name="action"/> gets a token that is cancelled after the timeout too: MassTransit's request timeout covers the wait for
    /// the reply, not the send of the request, which blocks while the broker is unreachable.</remarks>
    public static async Task<int> Run(Uri rabbitMq, string cluster, int timeoutSeconds, Func<ISchedulerClient, CancellationToken, Task<int>> action,
        CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromSeconds(timeoutSeconds);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddOptions<MassTransitHostOptions>().Configure(o => o.WaitUntilStarted = true);
        builder.Services.AddMassTransit(x =>
        {
            x.AddSchedulerClient(o =>
            {
                o.Timeout = timeout;
                o.ClusterName = cluster;   // commands go to the cluster's queues; one node of the cluster takes each
            });
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
            return await action(host.Services.GetRequiredService<ISchedulerClient>(), requesting.Token);
        }
        catch (TaskRejectedException ex)
        {
            await Console.Error.WriteLineAsync($"rejected: {ex.Message}");
            return Failed;
        }
        catch (TaskNotFoundException ex)
        {
            await Console.Error.WriteLineAsync($"not found: {ex.Message}");
            return Failed;
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

    public static async Task<int> Schedule(ISchedulerClient client, ScheduleTask command, CancellationToken cancellationToken)
    {
        var scheduled = await client.ScheduleAsync(command, cancellationToken);
        var next = scheduled.NextFireTime is { } fire ? Format(fire, command.TimeZone) : "never";
        Console.WriteLine($"scheduled {scheduled.TaskId} next fire {next}{(scheduled.AlreadyScheduled ? " (already scheduled: nothing new stored)" : "")}");
        return Success;
    }

    /// <summary>Schedules <paramref name="count"/> execute-once tasks like <paramref name="command"/>, the i-th (from 0) at
    /// <paramref name="first"/> plus i × <paramref name="step"/> (an idempotency key gets <c>-i</c> appended), sixteen requests at a time;
    /// prints how many were scheduled and rejected.</summary>
    public static async Task<int> ScheduleMany(ISchedulerClient client, ScheduleTask command, DateTimeOffset first, int count, TimeSpan step,
        CancellationToken cancellationToken)
    {
        var rejected = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                try
                {
                    await client.ScheduleAsync(command with
                    {
                        Trigger = (first + (i * step)).ToString("O", CultureInfo.InvariantCulture),
                        TriggerKind = TriggerKind.Once,
                        IdempotencyKey = command.IdempotencyKey is { } key ? $"{key}-{i}" : null, // one key per task: a repeat of the run creates nothing
                    }, token);
                }
                catch (TaskRejectedException ex)
                {
                    if (Interlocked.Increment(ref rejected) == 1)
                    {
                        await Console.Error.WriteLineAsync($"rejected: {ex.Message}");
                    }
                }
            });
        var last = first + ((count - 1) * step);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"scheduled {count - rejected} of {count} tasks firing {first.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fff}Z .. {last.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fff}Z"));
        return rejected == 0 ? Success : Failed;
    }

    public static async Task<int> Cancel(ISchedulerClient client, Guid taskId, CancellationToken cancellationToken)
    {
        if (!await client.CancelAsync(taskId, cancellationToken))
        {
            await Console.Error.WriteLineAsync($"not found: no task {taskId} that still fires");
            return Failed;
        }

        Console.WriteLine($"cancelled {taskId}");
        return Success;
    }

    /// <summary>Prints the outcome of pause, resume, update or trigger-now.</summary>
    public static async Task<int> Change(string verb, Task<TaskChanged> command)
    {
        var changed = await command;
        var next = changed.Task.NextFireTime is { } fire ? Format(fire, changed.Task.TimeZone) : "never";
        var instance = changed.InstanceId is { } id ? $" instance {id}" : "";
        Console.WriteLine($"{(changed.Changed ? verb : $"unchanged (already {verb})")} {changed.TaskId}{instance}: {changed.Task.State}, next fire {next}");
        return Success;
    }

    public static async Task<int> Show(ISchedulerClient client, Guid taskId, CancellationToken cancellationToken)
    {
        if (await client.GetAsync(taskId, cancellationToken) is not { } task)
        {
            await Console.Error.WriteLineAsync($"not found: no task {taskId}");
            return Failed;
        }

        Console.WriteLine(JsonSerializer.Serialize(task, Json));
        return Success;
    }

    public static async Task<int> List(ISchedulerClient client, ListTasks query, CancellationToken cancellationToken)
    {
        var page = await client.ListAsync(query, cancellationToken);
        foreach (var task in page.Tasks)
        {
            var next = task.NextFireTime is { } fire ? Format(fire, null) : "-";
            Console.WriteLine($"{task.TaskId}  {task.State,-9}  next {next,-24}  {task.TriggerPhrase ?? task.Trigger.Replace('\n', ' ')} ({task.TimeZone})");
        }

        Console.WriteLine(page.NextPageToken is { } token ? $"more: --page {token}" : $"{page.Tasks.Count} task(s)");
        return Success;
    }

    public static async Task<int> Instances(ISchedulerClient client, GetTaskInstances query, CancellationToken cancellationToken)
    {
        var page = await client.GetInstancesAsync(query, cancellationToken);
        foreach (var i in page.Instances)
        {
            Console.WriteLine($"{i.InstanceId}  fire {Format(i.FireTime, null),-24}  {i.State,-10}  attempt {i.Attempt}/{i.MaxAttempts}{(i.LastError is { } e ? $"  {e}" : "")}");
        }

        Console.WriteLine(page.NextPageToken is { } token ? $"more: --page {token}" : $"{page.Instances.Count} instance(s)");
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
