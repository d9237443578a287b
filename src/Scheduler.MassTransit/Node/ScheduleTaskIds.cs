using Scheduler.Contracts;

namespace Scheduler.MassTransit.Node;

/// <summary>Names the task of a command that names none, so that a redelivered command finds the definition it stored before.</summary>
internal static class ScheduleTaskIds
{
    /// <summary><paramref name="command"/> with its own task id, else <paramref name="fallbackId"/>; a missing command becomes one without a
    /// trigger, which is rejected under that id.</summary>
    public static ScheduleTask Named(ScheduleTask? command, Guid fallbackId) =>
        (command ?? new ScheduleTask { Trigger = null! }) with { TaskId = command?.TaskId ?? fallbackId };
}
