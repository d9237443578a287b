using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace Scheduler.AspNetCore.Dashboard;

/// <summary>
/// Serves the dashboard's page, style and script from the assembly's embedded resources (Dashboard/wwwroot), to GET and HEAD, each with a
/// strong ETag (a hash of its bytes) and <c>Cache-Control: no-cache</c>: a browser keeps them and revalidates each load (a 304 unless the
/// node was upgraded), so an upgrade is never hidden behind a stale script.
/// </summary>
internal static class DashboardAssets
{
    private static readonly Dictionary<string, (string ContentType, byte[] Content, EntityTagHeaderValue ETag)> Assets = Load();
    private static readonly string[] GetOrHead = [HttpMethods.Get, HttpMethods.Head];

    public static void Map(RouteGroupBuilder group)
    {
        // Routing matches the prefix with and without a trailing slash alike; the page's relative URLs (api/…, dashboard.js) resolve
        // against the prefix only with it, so the bare prefix is redirected.
        group.MapMethods("/", GetOrHead, (HttpContext http) => http.Request.Path.Value?.EndsWith('/') == true
            ? Serve(http, "index.html")
            : Results.Redirect(http.Request.PathBase + http.Request.Path + "/")).ExcludeFromDescription();
        group.MapMethods("/dashboard.js", GetOrHead, (HttpContext http) => Serve(http, "dashboard.js")).ExcludeFromDescription();
        group.MapMethods("/dashboard.css", GetOrHead, (HttpContext http) => Serve(http, "dashboard.css")).ExcludeFromDescription();
    }

    /// <summary>The asset, or 304 when the request's <c>If-None-Match</c> names its ETag (ASP.NET Core's file result applies it).</summary>
    private static IResult Serve(HttpContext http, string name)
    {
        var (contentType, content, etag) = Assets[name];
        http.Response.Headers.CacheControl = "no-cache";
        return Results.Bytes(content, contentType, entityTag: etag);
    }

    private static Dictionary<string, (string, byte[], EntityTagHeaderValue)> Load()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var assets = new Dictionary<string, (string, byte[], EntityTagHeaderValue)>(StringComparer.Ordinal);
        foreach (var (name, type) in new[] { ("index.html", "text/html; charset=utf-8"), ("dashboard.js", "text/javascript; charset=utf-8"), ("dashboard.css", "text/css; charset=utf-8") })
        {
            using var stream = assembly.GetManifestResourceStream("Scheduler.AspNetCore.Dashboard." + name)
                ?? throw new InvalidOperationException($"The dashboard asset {name} is missing from {assembly.GetName().Name}.");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var content = copy.ToArray();
            assets[name] = (type, content, new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 12))}\""));
        }

        return assets;
    }
}
