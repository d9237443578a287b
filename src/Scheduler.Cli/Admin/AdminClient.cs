using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Scheduler.Cli.Admin;

/// <summary>
/// Calls a node's admin API (docs/running.md, "Admin API and dashboard") for the <c>tasks</c> and <c>instances</c> commands: JSON in the
/// API's shape (camelCase, enums as names), the key in <c>X-Api-Key</c>, problem details turned into <see cref="AdminCallException"/>.
/// </summary>
internal sealed class AdminClient(HttpClient http)
{
    /// <summary>The API's JSON options (as Scheduler.AspNetCore's <c>AdminJson</c>).</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() }, WriteIndented = true };

    /// <summary>A client of the admin API at <paramref name="url"/> (the dashboard's address, e.g. <c>http://127.0.0.1:8080/scheduler/</c>).</summary>
    public static AdminClient Create(Uri url, string? apiKey, TimeSpan timeout)
    {
        var root = url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
        var http = new HttpClient { BaseAddress = new Uri(root, "api/"), Timeout = timeout };
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (!string.IsNullOrEmpty(apiKey))
        {
            http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        return new AdminClient(http);
    }

    /// <summary>Sends the request and returns the body of a 2xx answer as text (the JSON).</summary>
    /// <exception cref="AdminCallException">The API answered with an error, or could not be reached.</exception>
    public async Task<string> SendAsync(HttpMethod method, string path, CancellationToken cancellationToken, object? body = null)
    {
        HttpResponseMessage response;
        try
        {
            using var request = new HttpRequestMessage(method, path);
            if (body is not null)
            {
                request.Content = new StringContent(JsonSerializer.Serialize(body, Json), System.Text.Encoding.UTF8, "application/json");
            }

            response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new AdminCallException(null, $"Cannot reach the admin API at {http.BaseAddress}: {ex.Message} Is the node running with Admin:Urls set, and is --url its dashboard address (e.g. http://127.0.0.1:8080/scheduler/)?");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AdminCallException(null, $"The admin API at {http.BaseAddress} did not answer within {http.Timeout.TotalSeconds:0} s.");
        }

        using (response)
        {
            var answer = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return answer;
            }

            var detail = ProblemDetail(answer) ?? $"{(int)response.StatusCode} {response.ReasonPhrase}";
            var hint = response.StatusCode switch
            {
                HttpStatusCode.Unauthorized => " Pass --api-key (or set SCHEDULER_ADMIN_API_KEY).",
                HttpStatusCode.NotFound when ProblemDetail(answer) is null => $" Is {http.BaseAddress} the admin API? --url is the dashboard's address, e.g. http://127.0.0.1:8080/scheduler/.",
                _ => "",
            };
            throw new AdminCallException(response.StatusCode, detail + hint);
        }
    }

    /// <summary>Sends the request and reads a 2xx answer as <typeparamref name="T"/>, with the raw JSON beside it.</summary>
    public async Task<(T Value, string Json)> SendAsync<T>(HttpMethod method, string path, CancellationToken cancellationToken, object? content = null)
    {
        var body = await SendAsync(method, path, cancellationToken, content).ConfigureAwait(false);
        return (JsonSerializer.Deserialize<T>(body, Json) ?? throw new AdminCallException(null, $"The admin API answered {path} with no content."), body);
    }

    private static string? ProblemDetail(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("detail", out var detail)
                ? detail.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
