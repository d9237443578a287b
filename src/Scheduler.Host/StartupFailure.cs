namespace Scheduler.Host;

/// <summary>
/// Why the node cannot start, as one line for the operator (what failed, which value, how to fix it; never a password), and the process exit
/// code: <see cref="ConfigurationError"/> when the configuration is wrong, <see cref="ServiceUnavailable"/> when a service it names does not answer.
/// </summary>
internal sealed class StartupFailure : Exception
{
    /// <summary>Exit code of a configuration error: 2 (as a command-line tool's invalid usage).</summary>
    public const int ConfigurationError = 2;

    /// <summary>Exit code of an unreachable broker or store: 69, <c>EX_UNAVAILABLE</c> of sysexits.h (a supervisor may retry later).</summary>
    public const int ServiceUnavailable = 69;

    private StartupFailure(int exitCode, string message, Exception? innerException)
        : base(message, innerException) => ExitCode = exitCode;

    public StartupFailure()
    {
    }

    public StartupFailure(string message) : base(message)
    {
    }

    public StartupFailure(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>The process exit code.</summary>
    public int ExitCode { get; } = ConfigurationError;

    /// <summary>A configuration error (exit code 2).</summary>
    public static StartupFailure Configuration(string message, Exception? cause = null) => new(ConfigurationError, message, cause);

    /// <summary>A service the configuration names does not answer (exit code 69).</summary>
    public static StartupFailure Unavailable(string message, Exception? cause = null) => new(ServiceUnavailable, message, cause);
}
