namespace Scheduler.AspNetCore.Security;

/// <summary>One API key of the admin API (an element of <see cref="SchedulerAdminOptions.ApiKeys"/>, e.g. configuration
/// <c>Admin:ApiKeys:0:Name</c>, <c>:Key</c>, <c>:Role</c>). Callers send it in the <c>X-Api-Key</c> header.</summary>
public sealed class AdminApiKey
{
    /// <summary>Who holds the key, e.g. <c>ops-oncall</c>: written in the log line of every write made with it. Required, unique.</summary>
    public string Name { get; set; } = "";

    /// <summary>The secret: at least 16 characters (e.g. <c>openssl rand -hex 24</c>), unique. Compared in constant time.</summary>
    public string Key { get; set; } = "";

    /// <summary>What the key allows. <value>Default <see cref="AdminRole.Read"/>.</value></summary>
    public AdminRole Role { get; set; } = AdminRole.Read;
}
