namespace Scheduler.EntityFrameworkCore.Migrations;

/// <summary>Where a database's schema stands against the migration scripts of this build (<see cref="SchemaMigrator.GetStatusAsync"/>).</summary>
/// <param name="Applied">The scripts the database's journal records, by name (e.g. <c>0001_initial</c>), in order.</param>
/// <param name="Pending">This build's scripts the journal does not record yet, in the order they would run.</param>
/// <param name="Unknown">Scripts the journal records that this build does not know: the database was migrated by a newer release.</param>
public sealed record SchemaStatus(IReadOnlyList<string> Applied, IReadOnlyList<string> Pending, IReadOnlyList<string> Unknown)
{
    /// <summary>Whether the database was migrated by a newer release (<see cref="Unknown"/> is not empty); a node of this build must not run on it.</summary>
    public bool IsNewer => Unknown.Count > 0;

    /// <summary>Whether scripts of this build are still to run (<see cref="Pending"/> is not empty).</summary>
    public bool IsBehind => Pending.Count > 0;

    /// <summary>The database's latest version: its last journaled script's name, or <c>none</c> when nothing is journaled.</summary>
    public string DatabaseVersion => Applied.Count > 0 ? Applied[^1] : "none";
}
