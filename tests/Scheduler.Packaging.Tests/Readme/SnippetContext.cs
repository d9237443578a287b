using MassTransit;
using MassTransit.Scheduling;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Scheduler.Contracts;

#pragma warning disable IDE1006, CA1822 // the names the documentation's snippets use, lower case as in the snippets

namespace Scheduler.Packaging.Tests.Readme;

/// <summary>
/// What the documentation's C# snippets take as given, as the globals of their script compilation (<see cref="CodeBlockTests"/>): the
/// service collection, the MassTransit configurator <c>x</c>, an <see cref="ISchedulerClient"/>, a bus, a connection string, an ASP.NET Core
/// builder and app, and the sample data the snippets name. The snippets are compiled, never run against these.
/// </summary>
public sealed class SnippetContext
{
    public string[] args { get; } = [];

    public IServiceCollection services { get; } = new ServiceCollection();

    public IBusRegistrationConfigurator x { get; } = null!;

    public ISchedulerClient scheduler { get; } = null!;

    public IBus bus { get; } = null!;

    public string connectionString { get; } = "Host=127.0.0.1;Database=scheduler";

    public WebApplicationBuilder builder { get; } = null!;

    public WebApplication app { get; } = null!;

    public IReadOnlyList<Invoice> invoices { get; } = [];

    public IMessageScheduler messageScheduler { get; } = null!;

    public IRecurringMessageScheduler recurring { get; } = null!;

    public DateTime dueAt { get; }

    public Guid invoiceId { get; }
}

/// <summary>An invoice of the bulk scheduling snippet.</summary>
public sealed record Invoice(Guid Id, DateTimeOffset DueAt);

/// <summary>The mail service of the worker snippets.</summary>
public static class Email
{
    public static Task SendAsync(string to, string? body) => Task.CompletedTask;
}

/// <summary>A worker of the package READMEs' snippets (the README declares its own).</summary>
public sealed class SendReminder : IConsumer<TaskDue>
{
    public Task Consume(ConsumeContext<TaskDue> context) => Task.CompletedTask;
}

/// <summary>A message scheduled with MassTransit's message scheduler in the README's Quartz section.</summary>
public sealed record InvoiceDue(Guid InvoiceId);

/// <summary>A message sent by the README's recurring schedule.</summary>
public sealed record BuildReport;

/// <summary>The README's recurring schedule: every day at 6:00 UTC.</summary>
public sealed class DailyReport : DefaultRecurringSchedule
{
    public DailyReport() => CronExpression = "0 0 6 * * ?";
}
