using MassTransit;
using Scheduler.Contracts;
using Scheduler.Core.Definitions;
using Scheduler.Core.Runtime;

namespace Scheduler.MassTransit.Node;

/// <summary>
/// Consumes the calendar commands and queries (<see cref="SetCalendar"/>, <see cref="DeleteCalendar"/>, <see cref="GetCalendar"/>,
/// <see cref="ListCalendars"/>) on the task control queue through <see cref="SchedulingService"/> and answers each: the result,
/// <see cref="CalendarNotFound"/>, or <see cref="CalendarRejected"/> with the reason.
/// </summary>
public sealed class CalendarConsumer(SchedulingService scheduling) :
    IConsumer<SetCalendar>, IConsumer<DeleteCalendar>, IConsumer<GetCalendar>, IConsumer<ListCalendars>
{
    /// <inheritdoc />
    public Task Consume(ConsumeContext<SetCalendar> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return AnswerAsync(context, context.Message.Name, ct => scheduling.SetCalendarAsync(context.Message, ct));
    }

    /// <inheritdoc />
    public Task Consume(ConsumeContext<DeleteCalendar> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return AnswerAsync(context, context.Message.Name, ct => scheduling.DeleteCalendarAsync(context.Message.Name, ct));
    }

    /// <inheritdoc />
    public async Task Consume(ConsumeContext<GetCalendar> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (await scheduling.GetCalendarAsync(context.Message.Name, context.CancellationToken).ConfigureAwait(false) is { } calendar)
        {
            await context.RespondAsync(calendar).ConfigureAwait(false);
        }
        else
        {
            await context.RespondAsync(new CalendarNotFound { Name = context.Message.Name }).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task Consume(ConsumeContext<ListCalendars> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        await context.RespondAsync(await scheduling.ListCalendarsAsync(context.CancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
    }

    private static async Task AnswerAsync<TMessage, TReply>(ConsumeContext<TMessage> context, string name, Func<CancellationToken, Task<TReply>> handle)
        where TMessage : class
        where TReply : class
    {
        TReply reply;
        try
        {
            reply = await handle(context.CancellationToken).ConfigureAwait(false);
        }
        catch (TaskValidationException ex)
        {
            await context.RespondAsync(new CalendarRejected { Name = name, Reason = ex.Message }).ConfigureAwait(false);
            return;
        }

        await context.RespondAsync(reply).ConfigureAwait(false);
    }
}
