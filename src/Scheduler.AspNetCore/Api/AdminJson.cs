using System.Text.Json;
using System.Text.Json.Serialization;

namespace Scheduler.AspNetCore.Api;

/// <summary>The admin API's JSON: web defaults (camelCase, case-insensitive reading) with enums as their names (<c>"Paused"</c>), whatever
/// JSON options the host application uses for its own endpoints.</summary>
public static class AdminJson
{
    /// <summary>The options; shared, do not change.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.Converters.Add(new JsonStringEnumConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
