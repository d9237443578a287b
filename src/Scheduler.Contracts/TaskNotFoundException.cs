namespace Scheduler.Contracts;

/// <summary>A scheduler node answered a command or query with <see cref="TaskNotFound"/>.</summary>
public sealed class TaskNotFoundException : Exception
{
    /// <summary>Creates the exception for task <paramref name="taskId"/>.</summary>
    public TaskNotFoundException(Guid taskId)
        : base($"No task {taskId} exists: it was never scheduled, or was deleted after it finished (retention). Check the id, or list the tasks.") =>
        TaskId = taskId;

    /// <summary>Creates the exception.</summary>
    public TaskNotFoundException()
        : base("No such task exists.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public TaskNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public TaskNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The task id named in the request.</summary>
    public Guid TaskId { get; }
}
