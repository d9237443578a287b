using System.Net;

namespace Scheduler.Cli.Admin;

/// <summary>An admin API call that failed: the API's status (none when it could not be reached) and what to tell the user.</summary>
internal sealed class AdminCallException(HttpStatusCode? status, string message) : Exception(message)
{
    /// <summary>The HTTP status the API answered with; <see langword="null"/> when it could not be reached.</summary>
    public HttpStatusCode? Status { get; } = status;
}
