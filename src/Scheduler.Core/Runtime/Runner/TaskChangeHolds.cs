namespace Scheduler.Core.Runtime.Runner;

/// <summary>
/// The bookkeeping that keeps sends and changes of the same task apart: the tasks being changed (cancel, pause, update) through this node,
/// and per task the sends in flight a change waits for. Not thread-safe on its own: <see cref="HeldClaims"/> calls it under its lock, so a
/// send and a change of a task see each other atomically with the claims.
/// </summary>
internal sealed class TaskChangeHolds
{
    // Tasks being changed through this node, with how many changes of each run: their claims are not sent meanwhile.
    private readonly Dictionary<Guid, int> _changing = [];
    // Per task: claims past their last check before the send and not yet recorded (or released); a change waits until none is left.
    private readonly Dictionary<Guid, int> _sending = [];
    private readonly Dictionary<Guid, TaskCompletionSource> _sendsDone = [];

    /// <summary>Whether task <paramref name="taskId"/> is being changed.</summary>
    public bool IsChanging(Guid taskId) => _changing.ContainsKey(taskId);

    /// <summary>Counts a send of task <paramref name="taskId"/> as begun.</summary>
    public void BeginSend(Guid taskId) => _sending[taskId] = _sending.GetValueOrDefault(taskId) + 1;

    /// <summary>Counts a send of task <paramref name="taskId"/> as done.</summary>
    /// <returns>After the task's last send, what a change waiting for it waits on: to complete once out of the lock.</returns>
    public TaskCompletionSource? EndSend(Guid taskId)
    {
        TaskCompletionSource? done = null;
        if (_sending[taskId] == 1)
        {
            _sending.Remove(taskId);
            if (_sendsDone.Remove(taskId, out done))
            {
                // completed by the caller, outside the lock
            }
        }
        else
        {
            _sending[taskId]--;
        }

        return done;
    }

    /// <summary>Counts a change of task <paramref name="taskId"/> as begun.</summary>
    /// <returns>Completes once the task's sends in flight are done.</returns>
    public Task BeginChange(Guid taskId)
    {
        _changing[taskId] = _changing.GetValueOrDefault(taskId) + 1;
        return _sending.GetValueOrDefault(taskId) == 0 ? Task.CompletedTask
            : (_sendsDone.TryGetValue(taskId, out var done) ? done : _sendsDone[taskId] = new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
    }

    /// <summary>Counts a change of task <paramref name="taskId"/> as done.</summary>
    /// <returns>Whether it was the last change of the task under way.</returns>
    public bool EndChange(Guid taskId)
    {
        if (_changing[taskId] == 1)
        {
            _changing.Remove(taskId);
            return true;
        }

        _changing[taskId]--;
        return false;
    }
}
