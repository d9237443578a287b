using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Scheduler.AspNetCore.Dashboard;

/// <summary>Serves the dashboard's page, style and script from the assembly's embedded resources (Dashboard/wwwroot).</summary>
internal static class DashboardAssets
{
    private static readonly Dictionary<string, (string ContentType, byte[] Content)> Assets = Load();

    public static void Map(RouteGroupBuilder group)
    {
        // Routing matches the prefix with and without a trailing slash alike; the page's relative URLs (api/…, dashboard.js) resolve
        // against the prefix only with it, so the bare prefix is redirected.
        group.MapGet("/", (HttpContext http) => http.Request.Path.Value?.EndsWith('/') == true
            ? Serve("index.html")
            : Results.Redirect(http.Request.PathBase + http.Request.Path + "/")).ExcludeFromDescription();
        group.MapGet("/dashboard.js", () => Serve("dashboard.js")).ExcludeFromDescription();
        group.MapGet("/dashboard.css", () => Serve("dashboard.css")).ExcludeFromDescription();
    }

    private static IResult Serve(string name)
    {
        var (contentType, content) = Assets[name];
        return Results.Bytes(content, contentType);
    }

    private static Dictionary<string, (string, byte[])> Load()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var assets = new Dictionary<string, (string, byte[])>(StringComparer.Ordinal);
        foreach (var (name, type) in new[] { ("index.html", "text/html; charset=utf-8"), ("dashboard.js", "text/javascript; charset=utf-8"), ("dashboard.css", "text/css; charset=utf-8") })
        {
            using var stream = assembly.GetManifestResourceStream("Scheduler.AspNetCore.Dashboard." + name)
                ?? throw new InvalidOperationException($"The dashboard asset {name} is missing from {assembly.GetName().Name}.");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            assets[name] = (type, copy.ToArray());
        }

        return assets;
    }
}
