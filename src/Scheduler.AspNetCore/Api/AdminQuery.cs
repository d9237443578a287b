using System.Globalization;
using Scheduler.Core.Definitions;

namespace Scheduler.AspNetCore.Api;

/// <summary>Reads the admin API's query parameters, answering a bad one with a <see cref="TaskValidationException"/> that names it and the fix.</summary>
internal static class AdminQuery
{
    public static int Int(string? text, string name, int fallback)
    {
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new TaskValidationException($"Query parameter {name}='{text}' is not a whole number. Give one, e.g. {name}={fallback}.");
    }

    public static TEnum? Enum<TEnum>(string? text, string name)
        where TEnum : struct, System.Enum
    {
        if (text is null)
        {
            return null;
        }

        return System.Enum.TryParse<TEnum>(text, ignoreCase: true, out var value) && System.Enum.IsDefined(value) && !char.IsAsciiDigit(text[0])
            ? value
            : throw new TaskValidationException(
                $"Query parameter {name}='{text}' is not a {typeof(TEnum).Name}. Use one of {string.Join(", ", System.Enum.GetNames<TEnum>())}, or leave it out.");
    }

    public static Guid? Id(string? text, string name)
    {
        if (text is null)
        {
            return null;
        }

        return Guid.TryParse(text, out var value)
            ? value
            : throw new TaskValidationException($"Query parameter {name}='{text}' is not an id. Give a task's id, e.g. {name}=0193a5c2-7d4e-7b1a-9f00-3c5d2e1f0a4b, or leave it out.");
    }

    public static DateTimeOffset? Instant(string? text, string name)
    {
        if (text is null)
        {
            return null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
            ? value
            : throw new TaskValidationException($"Query parameter {name}='{text}' is not an instant. Give ISO 8601, e.g. {name}=2026-01-01T09:00:00Z, or leave it out.");
    }
}
