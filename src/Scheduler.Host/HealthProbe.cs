namespace Scheduler.Host;

/// <summary>
/// <c>Scheduler.Host --probe URL</c>: one GET of a health endpoint, for container health checks in images without curl or wget (the
/// aspnet runtime image has neither). Exits 0 when the answer is 2xx, 1 otherwise (a non-2xx answer, no answer within 5 seconds, a refused
/// connection), printing the answer's body or the error. The node itself is not started.
/// </summary>
internal static class HealthProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>Whether <paramref name="args"/> ask for a probe (<c>--probe URL</c>), and of which address.</summary>
    public static bool Requested(string[] args, out Uri url)
    {
        url = null!;
        return args is ["--probe", var text] && Uri.TryCreate(text, UriKind.Absolute, out url!);
    }

    /// <summary>Probes <paramref name="url"/> and returns the process's exit code.</summary>
    public static async Task<int> RunAsync(Uri url)
    {
        using var client = new HttpClient { Timeout = Timeout };
        try
        {
            using var response = await client.GetAsync(url).ConfigureAwait(false);
            Console.Out.Write(await response.Content.ReadAsStringAsync().ConfigureAwait(false));
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"{url}: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
