namespace Scheduler.Core.Storage;

/// <summary>Where a page of <see cref="IAdminStore.ListInstancesAsync"/> resumes: the fire time and id of the previous page's last instance.</summary>
/// <param name="FireTime">Its fire time (UTC).</param>
/// <param name="Id">Its id: ties of fire time are ordered by id, descending (the order of the ids' text, which every store keeps).</param>
public sealed record InstanceCursor(DateTimeOffset FireTime, Guid Id)
{
    /// <summary>Whether <paramref name="instance"/> comes after this cursor in the order (latest fire time first, then highest id).</summary>
    public bool Precedes(Definitions.TaskInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return instance.FireTime < FireTime || (instance.FireTime == FireTime && instance.Id.CompareTo(Id) < 0);
    }
}
