namespace Scheduler.AspNetCore;

/// <summary>Registered by <c>AddSchedulerAdmin</c>, so a second call and a <c>MapSchedulerAdmin</c> without it are recognised.</summary>
internal sealed class SchedulerAdminMarker;
