using System.Globalization;
using Scheduler.Core.Definitions;
using Scheduler.Core.Storage;

namespace Scheduler.Core.Runtime;

/// <summary>The page token of a list of task instances: the keyset cursor of the previous page's last instance (its fire time in UTC ticks and
/// its id, <c>638712345678901234~0193…</c>). Opaque to callers, who pass back the token they were given. Lists of task definitions use the
/// same shape (<see cref="WriteKey"/>, <see cref="ReadKey"/>) with the creation time.</summary>
internal static class InstancePageToken
{
    /// <summary>The token that resumes after <paramref name="last"/>.</summary>
    public static string Write(TaskInstance last) => WriteKey(last.FireTime, last.Id);

    /// <summary>The cursor of <paramref name="token"/>; <see langword="null"/> for none (the first page).</summary>
    /// <exception cref="TaskValidationException">The token is not one <see cref="Write"/> made.</exception>
    public static InstanceCursor? Read(string? token) => ReadKey(token) is var (time, id) ? new InstanceCursor(time, id) : null;

    /// <summary>The token of keyset position (<paramref name="time"/>, <paramref name="id"/>).</summary>
    public static string WriteKey(DateTimeOffset time, Guid id) =>
        string.Create(CultureInfo.InvariantCulture, $"{time.UtcTicks}~{id:N}");

    /// <summary>The keyset position of <paramref name="token"/>; <see langword="null"/> for none (the first page).</summary>
    /// <exception cref="TaskValidationException">The token is not one <see cref="WriteKey"/> made.</exception>
    public static (DateTimeOffset Time, Guid Id)? ReadKey(string? token)
    {
        if (token is null)
        {
            return null;
        }

        var parts = token.Split('~');
        if (parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            && ticks <= DateTimeOffset.MaxValue.UtcTicks && Guid.TryParseExact(parts[1], "N", out var id))
        {
            return (new DateTimeOffset(ticks, TimeSpan.Zero), id);
        }

        throw new TaskValidationException(
            $"PageToken '{token}' is not one this scheduler gave out. Pass the NextPageToken of the previous page, or none for the first page.");
    }
}
