namespace Scheduler.Host;

/// <summary>The <c>Host</c> configuration section: the node process itself.</summary>
public sealed class HostSettings
{
    /// <summary>The configuration section: <c>Host</c>.</summary>
    public const string SectionName = "Host";

    /// <summary>
    /// Longest the node may take to start: to reach the broker and the store, create its schema and start its bus. Past it the node stops
    /// with exit code 69 and one line naming what did not answer. <value>Default 60 seconds; 1 second to 1 hour.</value>
    /// </summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
