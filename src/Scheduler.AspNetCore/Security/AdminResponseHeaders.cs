using Microsoft.AspNetCore.Http;

namespace Scheduler.AspNetCore.Security;

/// <summary>
/// Sets on every response of the dashboard, the admin API and its OpenAPI document the headers that keep a browser from misusing them: no
/// page of another site may frame them (<c>Content-Security-Policy: frame-ancestors 'none'</c>, and <c>X-Frame-Options: DENY</c> for older
/// browsers), nothing is loaded but the dashboard's own script, style and API (the policy's other directives), no response is sniffed into
/// another type (<c>X-Content-Type-Options: nosniff</c>), and no URL leaks in a <c>Referer</c>. API responses are not cached
/// (<c>Cache-Control: no-store</c>: they carry task payloads); the dashboard's assets set their own caching.
/// </summary>
internal sealed class AdminResponseHeaders(bool api) : IEndpointFilter
{
    /// <summary>The content security policy: the dashboard's script and style from its own origin, its API by fetch, nothing else; never framed.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var headers = context.HttpContext.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XFrameOptions = "DENY";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        if (api)
        {
            headers.CacheControl = "no-store";
        }

        return next(context);
    }
}
