namespace Scheduler.Core.Triggers;

/// <summary>Resolves IANA time zone ids.</summary>
public static class TimeZones
{
    /// <summary>
    /// Finds the zone with the IANA id <paramref name="timeZoneId"/> (e.g. <c>America/New_York</c>); <see langword="null"/>, empty or
    /// <c>UTC</c> give <see cref="TimeZoneInfo.Utc"/>.
    /// </summary>
    /// <exception cref="TriggerFormatException">The id is not a known time zone; the message names it.</exception>
    public static TimeZoneInfo Find(string? timeZoneId)
    {
        if (string.IsNullOrWhiteSpace(timeZoneId) || timeZoneId is "UTC" or "Etc/UTC")
        {
            return TimeZoneInfo.Utc;
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(timeZoneId);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException or System.Security.SecurityException
            or ArgumentException or IOException or UnauthorizedAccessException)
        {
            // A directory of the zone database (e.g. "America") or an unreadable file surfaces as SecurityException or an I/O error.
            var space = timeZoneId.Trim().Length != timeZoneId.Length ? " (it has leading or trailing white space)" : "";
            throw new TriggerFormatException(
                $"Unknown time zone '{timeZoneId}'{space}. Use an IANA time zone id such as 'UTC', 'Europe/Berlin' or 'America/New_York'.", ex);
        }
    }
}
