using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scheduler.AspNetCore.Api;

namespace Scheduler.AspNetCore.Security;

/// <summary>
/// Lets a request of the admin API in, or answers 401/403 (<see cref="SchedulerAdminOptions"/> has the rules), and records who the caller is
/// (<see cref="Caller"/>) for the write log.
/// </summary>
internal sealed class AdminAccessFilter(AdminRole required) : IEndpointFilter
{
    /// <summary>The header that carries an API key.</summary>
    public const string ApiKeyHeader = "X-Api-Key";

    private static readonly object CallerKey = new();

    /// <summary>Who made the request, as the filter established it: <c>key:NAME</c>, <c>user:NAME</c> or <c>loopback:ADDRESS</c>.</summary>
    public static string Caller(HttpContext context) => context.Items[CallerKey] as string ?? "unknown";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var options = http.RequestServices.GetRequiredService<IOptions<SchedulerAdminOptions>>().Value;
        var (caller, refusal) = IsCrossSiteWrite(http)
            ? (null, Forbidden($"A write from the page at {http.Request.Headers.Origin} to {http.Request.Host} is refused: the admin API takes writes only from its own pages or from clients that send no Origin (curl, the scheduler tool)."))
            : await AuthorizeAsync(http, options).ConfigureAwait(false);
        if (refusal is not null)
        {
            var status = (refusal as IStatusCodeHttpResult)?.StatusCode ?? StatusCodes.Status401Unauthorized;
            if (status == StatusCodes.Status401Unauthorized)
            {
                http.Response.Headers.WWWAuthenticate = $"ApiKey header=\"{ApiKeyHeader}\"";
            }

            // Refused calls are logged too (without the key presented), so an operator sees who is knocking.
            var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(AdminLog.Category);
            if (logger.IsEnabled(LogLevel.Information))
            {
                var path = http.Request.Path.ToString();
                var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                var reason = (refusal as IValueHttpResult)?.Value is ProblemDetails problem ? problem.Detail ?? "" : "";
                AdminLog.Denied(logger, http.Request.Method, path, address, status, reason);
            }
            return refusal;
        }

        http.Items[CallerKey] = caller;
        return await next(context).ConfigureAwait(false);
    }

    private async Task<(string? Caller, IResult? Refusal)> AuthorizeAsync(HttpContext http, SchedulerAdminOptions options)
    {
        if (http.Request.Headers.TryGetValue(ApiKeyHeader, out var presented) && presented.Count > 0)
        {
            var key = Find(options.ApiKeys, presented.ToString());
            if (key is null)
            {
                return (null, Unauthorized($"The {ApiKeyHeader} header holds no configured key. Send one of the keys of the admin's ApiKeys (configuration Admin:ApiKeys)."));
            }

            return key.Role >= required
                ? ($"key:{key.Name}", null)
                : (null, Forbidden($"Key '{key.Name}' may only read. Use a key with role Write to pause, resume, update, trigger or cancel tasks, or to change calendars."));
        }

        string[] policies = required == AdminRole.Write
            ? [.. new[] { options.WritePolicy }.OfType<string>()]
            : [.. new[] { options.ReadPolicy, options.WritePolicy }.OfType<string>()];
        if (options.ReadPolicy is not null || options.WritePolicy is not null)
        {
            if (http.User.Identity?.IsAuthenticated != true)
            {
                return (null, Unauthorized($"Sign in (the host's authentication), or send an API key in the {ApiKeyHeader} header."));
            }

            var authorization = http.RequestServices.GetRequiredService<IAuthorizationService>();
            foreach (var policy in policies)
            {
                if ((await authorization.AuthorizeAsync(http.User, policy).ConfigureAwait(false)).Succeeded)
                {
                    return ($"user:{http.User.Identity.Name ?? "(no name)"}", null);
                }
            }

            return (null, Forbidden(required == AdminRole.Write
                ? $"User '{http.User.Identity.Name}' does not meet the write policy '{options.WritePolicy ?? "(none named)"}'. Ask for that access, or use a key with role Write."
                : $"User '{http.User.Identity.Name}' meets neither the read policy nor the write policy. Ask for read access, or use an API key."));
        }

        if (options.TrustLoopback && http.Connection.RemoteIpAddress is { } address && IPAddress.IsLoopback(address))
        {
            if (IsLoopbackHost(http.Request.Host.Host))
            {
                return options.LoopbackRole >= required
                    ? ($"loopback:{address}", null)
                    : (null, Unauthorized($"Without a key, requests from this host may only read (Admin:LoopbackRole is {options.LoopbackRole}). Send a key with role Write in the {ApiKeyHeader} header (configuration Admin:ApiKeys), or, on a machine only you use, set Admin:LoopbackRole to Write."));
            }

            // A page of another site whose name was made to resolve to 127.0.0.1 (DNS rebinding) calls from loopback, under its own name.
            return (null, Unauthorized($"Requests addressed to '{http.Request.Host.Host}' need an API key in the {ApiKeyHeader} header: without one, only requests addressed to localhost, 127.0.0.1 or [::1] are let in from loopback."));
        }

        return (null, Unauthorized($"Send an API key in the {ApiKeyHeader} header: requests from {http.Connection.RemoteIpAddress?.ToString() ?? "this address"} need one."));
    }

    /// <summary>A POST or PATCH that a browser sent from a page of another origin (its <c>Origin</c> header names another scheme, host or
    /// port): refused whatever the credentials, so no other site's page can make an operator's browser change tasks (a plain POST needs no
    /// CORS preflight).</summary>
    private bool IsCrossSiteWrite(HttpContext http)
    {
        if (required != AdminRole.Write || !http.Request.Headers.TryGetValue("Origin", out var origin) || origin.Count == 0)
        {
            return false;
        }

        return !Uri.TryCreate(origin.ToString(), UriKind.Absolute, out var page)
            || !string.Equals(page.Scheme, http.Request.Scheme, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(page.Authority, http.Request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsLoopbackHost(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    private static AdminApiKey? Find(IEnumerable<AdminApiKey> keys, string presented)
    {
        var bytes = Encoding.UTF8.GetBytes(presented);
        AdminApiKey? found = null;
        foreach (var key in keys)
        {
            // Every key is compared in full, in constant time, so the time taken tells nothing about which (or how much of one) matched.
            if (CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(key.Key), bytes))
            {
                found = key;
            }
        }

        return found;
    }

    private static IResult Unauthorized(string detail) =>
        Results.Problem(detail, statusCode: StatusCodes.Status401Unauthorized, title: "Credentials required");

    private static IResult Forbidden(string detail) =>
        Results.Problem(detail, statusCode: StatusCodes.Status403Forbidden, title: "Not allowed");
}
