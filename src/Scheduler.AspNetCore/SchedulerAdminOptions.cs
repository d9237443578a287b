using Scheduler.AspNetCore.Security;

namespace Scheduler.AspNetCore;

/// <summary>
/// Who may use the admin API (bindable from configuration, e.g. the <c>Admin</c> section of Scheduler.Host). A request is let in by, in
/// this order: a valid <c>X-Api-Key</c> of a sufficient role; else, when a policy is named for the access it needs, that policy of the
/// host's ASP.NET Core authorization; else, when <see cref="TrustLoopback"/> is set and no policy is named, its coming from a loopback
/// address, with the access of <see cref="LoopbackRole"/> (reading, unless writing is opted into). Anything else is refused: 401 without
/// valid credentials (a write from loopback included, when loopback may only read), 403 with credentials that only allow reading.
/// </summary>
/// <remarks>Reads are the GET endpoints; writes (pause, resume, update, trigger, cancel) the POST and PATCH ones, each logged at Information
/// with who made it. The dashboard's page and script are served to anyone who can reach the port: they hold no data, and the page asks for a
/// key when the API refuses it.</remarks>
public sealed class SchedulerAdminOptions
{
    /// <summary>The API keys. <value>Default: none (only loopback callers, or the host's policies, get in).</value></summary>
    public IList<AdminApiKey> ApiKeys { get; } = [];

    /// <summary>Whether requests from a loopback address (127.0.0.0/8, ::1), addressed to a loopback name, need no credentials when no policy
    /// is named; they get <see cref="LoopbackRole"/>. Turn it off behind a reverse proxy on the same host (every request would look local) or
    /// on a host shared with untrusted users. <value>Default <see langword="true"/>.</value></summary>
    public bool TrustLoopback { get; set; } = true;

    /// <summary>What a trusted loopback request without credentials may do (<see cref="TrustLoopback"/>): <see cref="AdminRole.Read"/> by
    /// default, so any process or user on the host can look but only a key (or a policy) can pause, trigger, cancel or requeue;
    /// <see cref="AdminRole.Write"/> is the opt-in for a single-user machine (a developer's), where everyone on the host may change tasks.
    /// <value>Default <see cref="AdminRole.Read"/>.</value></summary>
    public AdminRole LoopbackRole { get; set; } = AdminRole.Read;

    /// <summary>The host's authorization policy that lets a signed-in user read (embedded use, with the host's authentication);
    /// <see langword="null"/> for none. <value>Default <see langword="null"/>.</value></summary>
    public string? ReadPolicy { get; set; }

    /// <summary>The host's authorization policy that lets a signed-in user write; <see langword="null"/> for none. A user who passes it may
    /// also read. <value>Default <see langword="null"/>.</value></summary>
    public string? WritePolicy { get; set; }
}
