using NodaTime;
using NodaTime.TimeZones;

namespace Scheduler.Triggers;

/// <summary>
/// Resolves IANA time zone ids against the tz database embedded in NodaTime (<see cref="DateTimeZoneProviders.Tzdb"/>), never the host's
/// tzdata: every node, whatever its operating system, its <c>TZDIR</c> or its tzdata package, maps wall-clock times to the same instants.
/// </summary>
/// <remarks>The database is the one NodaTime's release embeds; <see cref="TzdbVersion"/> names it, the scheduler node logs it at start
/// and <c>scheduler --version</c> prints it. A new NodaTime release brings a new database (and new rules, e.g. a country dropping DST).</remarks>
public static class TimeZones
{
    /// <summary>The version of the embedded tz database, e.g. <c>2025b</c>.</summary>
    public static string TzdbVersion => TzdbDateTimeZoneSource.Default.TzdbVersion;

    /// <summary>
    /// Finds the zone with the IANA id <paramref name="timeZoneId"/> (e.g. <c>America/New_York</c>, or an alias the database lists such as
    /// <c>US/Eastern</c>); <see langword="null"/>, empty, <c>UTC</c> or <c>Etc/UTC</c> give <see cref="DateTimeZone.Utc"/>. A Windows id
    /// (<c>W. Europe Standard Time</c>) is mapped through the CLDR table embedded with the database.
    /// </summary>
    /// <returns>The zone; its <see cref="DateTimeZone.Id"/> is the id as given (for Windows ids, the IANA id it maps to).</returns>
    /// <exception cref="TriggerFormatException">The id is not in the database; the message names it and gives examples.</exception>
    public static DateTimeZone Find(string? timeZoneId)
    {
        if (string.IsNullOrWhiteSpace(timeZoneId) || timeZoneId is "UTC" or "Etc/UTC")
        {
            return DateTimeZone.Utc;
        }

        if (DateTimeZoneProviders.Tzdb.GetZoneOrNull(timeZoneId) is { } zone)
        {
            return zone;
        }

        if (TzdbDateTimeZoneSource.Default.WindowsMapping.PrimaryMapping.TryGetValue(timeZoneId, out var iana)
            && DateTimeZoneProviders.Tzdb.GetZoneOrNull(iana) is { } mapped)
        {
            return mapped;
        }

        var space = timeZoneId.Trim().Length != timeZoneId.Length ? " (it has leading or trailing white space)" : "";
        throw new TriggerFormatException(
            $"Unknown time zone '{timeZoneId}'{space}. Use an IANA time zone id such as 'UTC', 'Europe/Berlin' or 'America/New_York' (tz database {TzdbVersion}).");
    }
}
